//! The proxy from the conventional environment variables, as curl and Python read them.

use std::io;

use super::Proxy;

/// The value of the first variable set and non-empty, upper case first.
fn var(names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    })
}

/// Whether `no_proxy` (a comma-separated list of hosts, domain suffixes or `*`) covers `host`.
fn bypassed(no_proxy: &str, host: &str) -> bool {
    no_proxy.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        !entry.is_empty()
            && (entry == "*"
                || host.eq_ignore_ascii_case(entry)
                || host
                    .len()
                    .checked_sub(entry.len() + 1)
                    .and_then(|start| host.get(start..))
                    .is_some_and(|tail| {
                        tail.starts_with('.')
                            && tail.get(1..).is_some_and(|t| t.eq_ignore_ascii_case(entry))
                    }))
    })
}

/// The proxy for a connect to `host` (`wss://` when `secure`), from `HTTPS_PROXY` or
/// `HTTP_PROXY`, then `ALL_PROXY`; `None` when unset or when `NO_PROXY` covers `host`.
pub(crate) fn from_env(secure: bool, host: &str) -> io::Result<Option<Proxy>> {
    if var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| bypassed(&list, host)) {
        return Ok(None);
    }
    let scheme_vars: &[&str] = if secure {
        &["HTTPS_PROXY", "https_proxy"]
    } else {
        &["HTTP_PROXY", "http_proxy"]
    };
    var(scheme_vars)
        .or_else(|| var(&["ALL_PROXY", "all_proxy"]))
        .map(|url| Proxy::parse(url.trim()))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_hosts_and_suffixes() {
        assert!(bypassed("*", "a.test"));
        assert!(bypassed("x.test, a.test", "a.test"));
        assert!(bypassed(".test", "a.test"));
        assert!(bypassed("test", "b.a.test"));
        assert!(!bypassed("test", "atest"));
        assert!(!bypassed("b.test", "a.test"));
        assert!(!bypassed("", "a.test"));
    }
}
