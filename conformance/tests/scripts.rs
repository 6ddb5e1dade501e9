//! Runs every conformance script on every runner under every chunking.

use std::io::Write as _;
use std::path::Path;

use wsflow_conformance::chunking::Chunking;
use wsflow_conformance::exec::{applies, requirements, role_name, run};
use wsflow_conformance::parse::load_dir;
use wsflow_conformance::runner::Runner;
use wsflow_conformance::runner::adapter_runner::{AsyncStdRunner, SmolRunner, TokioRunner};
use wsflow_conformance::runner::blocking_runner::BlockingRunner;
use wsflow_conformance::runner::core_runner::CoreRunner;
use wsflow_conformance::runner::h2_runner::H2TokioRunner;

/// The implementations under test.
fn runners() -> Vec<Box<dyn Runner>> {
    vec![
        Box::new(CoreRunner),
        Box::new(TokioRunner),
        Box::new(SmolRunner),
        Box::new(AsyncStdRunner),
        Box::new(BlockingRunner),
        Box::new(H2TokioRunner::new()),
    ]
}

#[test]
fn every_script_passes_on_every_runner_under_every_chunking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let (scripts, errors) = load_dir(&root);
    for error in &errors {
        report(&format!("conformance: parse error: {error}"));
    }
    assert!(errors.is_empty(), "{} script(s) do not parse", errors.len());
    assert!(!scripts.is_empty(), "no scripts under {}", root.display());

    // `WSFLOW_SCRIPT=part-of-a-path` runs only the matching scripts (for a failure at hand).
    let only = std::env::var("WSFLOW_SCRIPT").ok();
    let scripts: Vec<_> = scripts
        .into_iter()
        .filter(|script| {
            only.as_deref()
                .is_none_or(|part| script.path.to_string_lossy().contains(part))
        })
        .collect();
    // `WSFLOW_RUNNER=name` runs only that runner (e.g. `h2-tokio`).
    let only_runner = std::env::var("WSFLOW_RUNNER").ok();
    let runners: Vec<_> = runners()
        .into_iter()
        .filter(|runner| {
            only_runner
                .as_deref()
                .is_none_or(|name| runner.name() == name)
        })
        .collect();
    let mut runs = 0;
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut skipped = 0;
    // Skipped cases by the first capability the runner lacks, in order of first appearance.
    let mut skipped_by: Vec<(String, usize)> = Vec::new();
    for script in &scripts {
        cases += script.roles.len();
        for runner in &runners {
            let missing = requirements(script)
                .into_iter()
                .find(|&capability| !runner.supports(capability));
            if let Some(capability) = missing {
                skipped += script.roles.len();
                let name = capability.to_string();
                match skipped_by.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, count)) => *count += script.roles.len(),
                    None => skipped_by.push((name, script.roles.len())),
                }
                continue;
            }
            for &role in &script.roles {
                for chunking in Chunking::ALL {
                    if !applies(script, chunking) {
                        continue;
                    }
                    runs += 1;
                    if let Err(failure) = run(script, role, chunking, runner.as_ref()) {
                        failures.push(format!(
                            "FAIL {} [{} runner, {} role, {} chunking] {}",
                            script.path.display(),
                            runner.name(),
                            role_name(role),
                            chunking,
                            failure
                        ));
                    }
                }
            }
        }
    }
    for failure in &failures {
        report(failure);
    }
    skipped_by.sort();
    let skipped_by: Vec<String> = skipped_by
        .iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    let skipped_by = if skipped_by.is_empty() {
        String::new()
    } else {
        format!(": {}", skipped_by.join(", "))
    };
    report(&format!(
        "conformance: {} scripts ({} script-role cases) x {} runners x up to {} chunkings = {} runs, {} passed, {} failed ({} script-role cases skipped{})",
        scripts.len(),
        cases,
        runners.len(),
        Chunking::ALL.len(),
        runs,
        runs - failures.len(),
        failures.len(),
        skipped,
        skipped_by
    ));
    assert!(
        failures.is_empty(),
        "{} conformance run(s) failed",
        failures.len()
    );
}

/// Writes a line to the process's real stderr: the test harness captures `eprintln!` but not
/// direct writes, so the summary shows without `--nocapture`.
fn report(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}
