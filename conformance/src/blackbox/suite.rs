//! Selecting the scripts that apply, and running them on a black-box runner.

use std::path::PathBuf;

use wsflow_core::Role;

use super::BlackboxRunner;
use super::select::{Need, needs, project};
use crate::chunking::Chunking;
use crate::exec::{applies, run};
use crate::script::{Script, Trailing};

/// The scripts of a suite, sorted for one role of a black-box endpoint.
#[derive(Debug, Default)]
pub struct Selection {
    /// How many scripts were loaded.
    pub total: usize,
    /// The scripts that apply, in their black-box form ([`project`]).
    pub applicable: Vec<Script>,
    /// The scripts for this role that do not apply, and why.
    pub not_applicable: Vec<(Script, Vec<Need>)>,
    /// How many scripts test only the other role.
    pub other_role: usize,
    /// Whether `trailing: frame` scripts run under the `trailing` chunking: whether data
    /// after a close must be ignored. RFC 6455 §5.5.1 forbids sending it but leaves the
    /// receiver's reaction open; ignoring it is wsflow's choice, so it is judged only with
    /// `implementation-choice` included.
    pub trailing_frames: bool,
}

/// Sorts `scripts` for an endpoint in `role`; `only` keeps the scripts whose path contains
/// it; `include` lists the optional requirements the endpoint is held to.
pub fn select(scripts: &[Script], role: Role, only: Option<&str>, include: &[String]) -> Selection {
    let mut selection = Selection {
        total: scripts.len(),
        trailing_frames: include.iter().any(|name| name == "implementation-choice"),
        ..Selection::default()
    };
    for script in scripts {
        if only.is_some_and(|only| !script.path.to_string_lossy().contains(only)) {
            continue;
        }
        if !script.roles.contains(&role) {
            selection.other_role += 1;
            continue;
        }
        let needs = needs(script, role, include);
        if needs.is_empty() {
            selection.applicable.push(project(script, role));
        } else {
            selection.not_applicable.push((script.clone(), needs));
        }
    }
    selection
}

/// The runs of `selection` under `chunkings`, in the order they are played: (index into
/// `selection.applicable`, chunking). In client mode their number is the case count.
pub fn runs(selection: &Selection, chunkings: &[Chunking]) -> Vec<(usize, Chunking)> {
    let mut runs = Vec::new();
    for (index, script) in selection.applicable.iter().enumerate() {
        let trailing_frame = script.trailing == Trailing::Frame && !selection.trailing_frames;
        for &chunking in chunkings {
            if applies(script, chunking) && !(trailing_frame && chunking == Chunking::Trailing) {
                runs.push((index, chunking));
            }
        }
    }
    runs
}

/// The result of one script under every chunking.
#[derive(Debug, Clone)]
pub struct ScriptResult {
    /// The script's file, relative to the scripts folder.
    pub path: PathBuf,
    /// The chunkings it ran under.
    pub chunkings: Vec<Chunking>,
    /// The failures: the chunking, and what went wrong (the first difference).
    pub failures: Vec<(Chunking, String)>,
}

/// Plays every run of `selection` on `runner`, one script result per applicable script.
pub fn run_all(
    selection: &Selection,
    chunkings: &[Chunking],
    runner: &dyn BlackboxRunner,
    mut progress: impl FnMut(&ScriptResult),
) -> Vec<ScriptResult> {
    let mut results: Vec<ScriptResult> = selection
        .applicable
        .iter()
        .map(|script| ScriptResult {
            path: script.path.clone(),
            chunkings: Vec::new(),
            failures: Vec::new(),
        })
        .collect();
    let runs = runs(selection, chunkings);
    for (position, &(index, chunking)) in runs.iter().enumerate() {
        let (Some(script), Some(result)) =
            (selection.applicable.get(index), results.get_mut(index))
        else {
            continue;
        };
        let outcome = run(script, runner.role(), chunking, runner.as_runner());
        result.chunkings.push(chunking);
        if let Err(failure) = outcome {
            let message = match runner.take_error() {
                Some(error) => format!("could not open the connection: {error}"),
                None => failure.to_string(),
            };
            result.failures.push((chunking, message));
        }
        let last_of_script = runs
            .get(position + 1)
            .is_none_or(|&(next, _)| next != index);
        if last_of_script {
            progress(result);
        }
    }
    results
}
