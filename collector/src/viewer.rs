//! The live event viewer at `GET /` on the collect port: the latest events, newest first, refreshed
//! every 2 s by `<meta http-equiv="refresh">` (`?refresh=N` seconds, `0` = paused). Every value
//! comes from the network, so every value is HTML-escaped text (never markup, never a link or an
//! attribute other than the escaped type class), and the page is served with [`CSP`], which
//! allows no script at all: were escaping ever wrong, injected markup still could not run.

use serde_json::Value;

use crate::store::EventRecord;

/// Events shown on the page.
pub const PAGE_EVENTS: usize = 200;
/// Seconds between refreshes unless `?refresh=` says otherwise.
pub const DEFAULT_REFRESH: u32 = 2;
/// The viewer's Content-Security-Policy: its own inline style and the empty favicon, nothing
/// else (no script, no frames of it, no forms, no `<base>`).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                       base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// Longest JSON shown per properties cell; the rest is elided (the full text is in SQLite).
const MAX_CELL_CHARS: usize = 2000;

/// Totals shown in the page header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Stored events.
    pub events: i64,
    /// Stored batches.
    pub batches: i64,
    /// `/v1/batch` requests since start or reset.
    pub requests: u64,
    /// Of those, faulted.
    pub faulted: u64,
}

/// Renders the page; `events` are in ascending id order and shown newest first. `refresh`: seconds
/// between reloads, 0 for none.
pub fn render(events: &[EventRecord], totals: Totals, refresh: u32) -> String {
    let mut rows = String::new();
    for e in events.iter().rev() {
        let ids = [&e.session_id, &e.tab_id, &e.seq]
            .iter()
            .map(|v| match v {
                Value::Null => "-".to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let who = match (&e.anonymous_id, &e.user_id) {
            (Some(a), Some(u)) => format!("{a} (user {u})"),
            (Some(a), None) => a.clone(),
            (None, Some(u)) => format!("user {u}"),
            (None, None) => "-".into(),
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"t-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
            e.id,
            escape(&e.received_at),
            escape(&e.kind),
            escape(&e.kind),
            escape(e.event.as_deref().unwrap_or("")),
            escape(&who),
            escape(&ids),
            escape(&page_url(e)),
            escape(&elide(e.properties.as_deref().unwrap_or(""))),
            escape(&elide(e.traits.as_deref().unwrap_or(""))),
        ));
    }
    let refresh_tag = if refresh > 0 {
        format!("<meta http-equiv=\"refresh\" content=\"{refresh}\">\n")
    } else {
        String::new()
    };
    let pause = if refresh > 0 {
        "<a href=\"/?refresh=0\">pause</a>"
    } else {
        "paused: <a href=\"/\">resume</a>"
    };
    let empty = if events.is_empty() {
        "<p class=\"empty\">No events yet. POST a batch to <code>/v1/batch</code>.</p>"
    } else {
        ""
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
{refresh_tag}<title>Trailmark collector</title>
<link rel="icon" href="data:,">
<style>
body {{ font: 13px/1.4 system-ui, sans-serif; margin: 1rem 1.5rem; color: #222; }}
h1 {{ font-size: 1.2rem; margin: 0 0 .3rem; }}
.totals {{ color: #555; margin-bottom: .8rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid #e3e3e3; }}
th {{ background: #f4f4f4; position: sticky; top: 0; }}
tr:hover td {{ background: #fafaf0; }}
code {{ font: 12px ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }}
.t-track {{ color: #0b5cad; }} .t-page {{ color: #1a7f37; }} .t-identify {{ color: #8250df; }}
.empty {{ color: #777; }}
</style></head>
<body>
<h1>Trailmark collector</h1>
<div class="totals">{} events in {} batches &middot; {} requests, {} faulted &middot; latest {} shown, newest first &middot; {pause} &middot; <a href="/events.json">events.json</a></div>
<table>
<thead><tr><th>id</th><th>received</th><th>type</th><th>event</th><th>anonymousId</th><th>session / tab / seq</th><th>page</th><th>properties</th><th>traits</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
{empty}
</body></html>
"#,
        totals.events, totals.batches, totals.requests, totals.faulted, PAGE_EVENTS
    )
}

/// The page an event happened on: `context.page.url`, else `properties.url` (page calls), as text.
fn page_url(e: &EventRecord) -> String {
    let url_in = |json: &Option<String>, pointer: &str| {
        let value: Value = serde_json::from_str(json.as_deref()?).ok()?;
        value.pointer(pointer)?.as_str().map(String::from)
    };
    url_in(&e.context, "/page/url")
        .or_else(|| url_in(&e.properties, "/url"))
        .unwrap_or_default()
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn elide(s: &str) -> String {
    if s.chars().count() <= MAX_CELL_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_CELL_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn elides_long_cells() {
        assert_eq!(elide("abc"), "abc");
        assert_eq!(elide(&"é".repeat(3000)).chars().count(), MAX_CELL_CHARS + 1);
    }
}
