//! Passed and failed cases of a fixture file, for the runners shared by native and wasm tests
//! (`history_support`, `journeys_support`).

/// Passed and failed cases of one fixture file.
pub struct Tally {
    /// How many cases ran.
    pub total: usize,
    /// One line per failed case.
    pub failures: Vec<String>,
}

impl Tally {
    /// How many passed.
    pub fn passed(&self) -> usize {
        self.total - self.failures.len()
    }

    /// The failures of several fixture files, in order.
    pub fn all_failures(tallies: &[&Tally]) -> Vec<String> {
        tallies
            .iter()
            .flat_map(|t| t.failures.iter().cloned())
            .collect()
    }
}
