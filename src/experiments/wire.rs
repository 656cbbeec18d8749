//! Experiments and the holdout in the program format (see [`crate::wire`]).
//!
//! Reading checks what assignment relies on (at least two variants, a known
//! hash version and hash attribute, ids short enough to be stored) and nothing else: odd ranges
//! or namespace bounds can only change who gets what, as a config could. Block indexes are
//! checked by the config reader, which knows how many blocks there are
//! ([`Experiment::blocks_below`]).

use super::experiment::{Experiment, HashAttribute, Namespace, Variant, MAX_ID_BYTES};
use super::holdout::Holdout;
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for Variant {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.id.put(w);
        self.name.put(w);
        // The block as index + 1, 0 for a control: one varint, no option.
        w.u(self.block.map_or(0, |b| b as u64 + 1));
        self.range.0.put(w);
        self.range.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let id = String::get(r);
        let name = String::get(r);
        r.check(id.len() <= MAX_ID_BYTES);
        let block = usize::get(r).checked_sub(1);
        let start = f64::get(r);
        Variant {
            id,
            name,
            block,
            range: (start, f64::get(r)),
        }
    }
}

impl Wire for Namespace {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.id.put(w);
        self.start.put(w);
        self.end.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let id = String::get(r);
        let start = f64::get(r);
        Namespace {
            id,
            start,
            end: f64::get(r),
        }
    }
}

impl Wire for Experiment {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.key.put(w);
        self.name.put(w);
        self.seed.put(w);
        w.tag(self.hash_version as u8);
        w.tag(match self.hash_attribute {
            HashAttribute::Id => 0,
            HashAttribute::UserId => 1,
            HashAttribute::UserIdElseId => 2,
        });
        self.namespace.put(w);
        self.variants.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let key = String::get(r);
        let name = String::get(r);
        let seed = String::get(r);
        let hash_version = u32::from(r.tag());
        let hash_attribute = match r.tag() {
            0 => HashAttribute::Id,
            1 => HashAttribute::UserId,
            t => {
                r.check(t == 2);
                HashAttribute::UserIdElseId
            }
        };
        let namespace = Option::get(r);
        let variants: Vec<Variant> = Vec::get(r);
        r.check(
            key.len() <= MAX_ID_BYTES
                && (hash_version == 1 || hash_version == 2)
                && variants.len() >= 2,
        );
        Experiment {
            key,
            name,
            seed,
            hash_version,
            hash_attribute,
            namespace,
            variants,
        }
    }
}

impl Wire for Holdout {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.experiment.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let experiment = Experiment::get(r);
        // Two groups, neither showing anything: the holdout never renders a block.
        r.check(experiment.variants.len() == 2 && experiment.blocks_below(0));
        Holdout { experiment }
    }
}
