//! The attribute paths a template may read.

/// The attributes Trailmark provides (README, "The visitor: sessions, profile, identity"), as
/// [`compile`](super::compile) checks them by default. A path is known when it is one of
/// these or lies below one (`cart.items.0.name` below `cart.items`); `journeys` and `traits`
/// admit any path below them (`journeys.abandoned-cart.stage`, `traits.firstName`: the traits
/// `identify` keeps for text, whichever the config names).
pub const KNOWN_PATHS: &[&str] = &[
    "page.url",
    "page.path",
    "page.search",
    "page.title",
    "page.referrer",
    "visitor.visits",
    "visitor.returning",
    "visitor.firstSeen",
    "visitor.lastSeen",
    "visitor.events",
    "visitor.device",
    "visitor.engagedMs",
    "visitor.maxScroll",
    "visitor.firstReferrer",
    "visitor.userId",
    "session.id",
    "session.pageViews",
    "session.events",
    "session.referrer",
    "session.campaign",
    "views.pages",
    "views.products",
    "views.categories",
    "cart.items",
    "cart.count",
    "cart.value",
    "cart.currency",
    "orders.count",
    "orders.revenue",
    "orders.currency",
    "orders.lastAt",
    "utm.first",
    "utm.last",
    "journeys",
    "traits",
];

/// Whether `path` is one of `known` or lies below one.
pub(super) fn is_known(path: &str, known: &[&str]) -> bool {
    known.iter().any(|k| {
        path.strip_prefix(k)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Why `path` is not known, after its name and position: its root is unknown (the roots
/// there are), or the known paths under that root.
pub(super) fn explain(path: &str, known: &[&str]) -> String {
    let root = path.split('.').next().unwrap_or("");
    let mut msg = String::from("; ");
    let mut under: Vec<&str> = Vec::new();
    for k in known {
        if let Some(rest) = k.strip_prefix(root).and_then(|r| r.strip_prefix('.')) {
            under.push(rest);
        }
    }
    if under.is_empty() {
        let mut roots: Vec<&str> = Vec::new();
        for k in known {
            let r = k.split('.').next().unwrap_or("");
            if !roots.contains(&r) {
                roots.push(r);
            }
        }
        msg.push_str("a path starts with one of: ");
        crate::text::push_list(&mut msg, &roots);
    } else {
        msg.push_str(root);
        msg.push_str(" has: ");
        crate::text::push_list(&mut msg, &under);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_and_below() {
        for p in [
            "cart.value",
            "cart.items.0.name",
            "views.products.length",
            "traits.firstName",
            "traits",
            "journeys.abandoned-cart.stage",
        ] {
            assert!(is_known(p, KNOWN_PATHS), "{p}");
        }
        for p in [
            "cart",
            "cart.valuex",
            "cart.valu",
            "user.name",
            "trait.x",
            "",
        ] {
            assert!(!is_known(p, KNOWN_PATHS), "{p}");
        }
    }
}
