//! Command-line flags shared by the example binaries (a handful of flags: no parser crate).

use std::fmt;
use std::str::FromStr;

/// Which I/O layer drives the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeChoice {
    /// `std::net` and one thread per connection: the core with no async at all.
    Blocking,
    /// The `wsflow` adapter on tokio.
    Tokio,
    /// The `wsflow` adapter on smol.
    Smol,
    /// The `wsflow` adapter on async-std.
    AsyncStd,
}

impl FromStr for RuntimeChoice {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "blocking" => Ok(RuntimeChoice::Blocking),
            "tokio" => Ok(RuntimeChoice::Tokio),
            "smol" => Ok(RuntimeChoice::Smol),
            "async-std" => Ok(RuntimeChoice::AsyncStd),
            other => Err(format!(
                "unknown runtime {other:?} (expected blocking, tokio, smol or async-std)"
            )),
        }
    }
}

impl fmt::Display for RuntimeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeChoice::Blocking => "blocking",
            RuntimeChoice::Tokio => "tokio",
            RuntimeChoice::Smol => "smol",
            RuntimeChoice::AsyncStd => "async-std",
        })
    }
}

/// Parsed `--flag value` pairs and `--switch`es.
#[derive(Debug, Default)]
pub struct Flags {
    pairs: Vec<(String, Option<String>)>,
}

impl Flags {
    /// Parses the process arguments; `switches` are the flags that take no value.
    pub fn from_env(switches: &[&str]) -> Result<Flags, String> {
        Flags::parse(std::env::args().skip(1), switches)
    }

    /// Parses `args`; `switches` are the flags that take no value.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        switches: &[&str],
    ) -> Result<Flags, String> {
        let mut flags = Flags::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}"));
            };
            if let Some((name, value)) = name.split_once('=') {
                flags.pairs.push((name.to_owned(), Some(value.to_owned())));
            } else if switches.contains(&name) {
                flags.pairs.push((name.to_owned(), None));
            } else {
                let value = args
                    .next()
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                flags.pairs.push((name.to_owned(), Some(value)));
            }
        }
        Ok(flags)
    }

    /// The value of `--name`, parsed.
    pub fn value<T: FromStr>(&self, name: &str) -> Result<Option<T>, String>
    where
        T::Err: fmt::Display,
    {
        self.pairs
            .iter()
            .rev()
            .find(|(flag, _)| flag == name)
            .and_then(|(_, value)| value.as_deref())
            .map(|value| value.parse().map_err(|e| format!("--{name} {value}: {e}")))
            .transpose()
    }

    /// The value of `--name`, which must be given.
    pub fn required<T: FromStr>(&self, name: &str) -> Result<T, String>
    where
        T::Err: fmt::Display,
    {
        self.value(name)?
            .ok_or_else(|| format!("--{name} is required"))
    }

    /// Whether the switch `--name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.pairs
            .iter()
            .any(|(flag, value)| flag == name && value.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_switches_and_equals_form() {
        let args = ["--runtime", "tokio", "--deflate", "--addr=127.0.0.1:9001"];
        let flags = Flags::parse(args.map(String::from), &["deflate"]).unwrap();
        assert_eq!(
            flags.required::<RuntimeChoice>("runtime").unwrap(),
            RuntimeChoice::Tokio
        );
        assert!(flags.switch("deflate"));
        assert_eq!(
            flags.value::<String>("addr").unwrap().unwrap(),
            "127.0.0.1:9001"
        );
        assert!(flags.required::<String>("url").is_err());
        assert!(Flags::parse(["stray".to_owned()], &[]).is_err());
        assert!("fast".parse::<RuntimeChoice>().is_err());
    }
}
