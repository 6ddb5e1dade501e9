//! What must hold for every connection, whatever the seed did.
//!
//! - No deadlock: the run ended (every task finished).
//! - Without a fault, both sides end cleanly and each received exactly the messages the
//!   other sent (`send` returned `Ok`), once, in order, intact.
//! - With a fault, a side that ended cleanly received all of the peer's messages (the peer's
//!   close frame came after them); any other side received a prefix of them, and reported
//!   the end once with the cause the simulator produced: a reset gives one `ConnectionReset`
//!   I/O error and an `Aborted` end (on every layer, while closing too), a cut an `Eof` end.
//! - Receive calls after the end keep returning "over".
//! - The write buffer stays within the high-water mark plus one message and a few control
//!   frames (sends wait above the mark).

use std::io;

use wsflow_core::CloseCause;

use super::app::{Outcome, Report, Script};
use super::network::Fault;
use super::world::ConnectionResult;

/// Checks one connection's result against its script.
///
/// # Errors
///
/// What failed, in words.
pub fn check(script: &Script, result: &ConnectionResult) -> Result<(), String> {
    if let Some(why) = &result.stuck {
        return Err(why.clone());
    }
    let fault = if result.faulted {
        script.fault
    } else {
        Fault::None
    };
    for side in 0..2 {
        let name = ["client", "server"][side];
        check_side(
            &result.outcomes[side],
            &result.outcomes[1 - side],
            fault,
            script,
            side,
        )
        .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn check_side(
    own: &Outcome,
    peer: &Outcome,
    fault: Fault,
    script: &Script,
    side: usize,
) -> Result<(), String> {
    if !own.ended {
        return Err("the receive side never reported the end".into());
    }
    if let Some(after) = own.after_end.first() {
        return Err(after.clone());
    }
    if let Some(Report::Other(other)) = own.reports.iter().find(|r| matches!(r, Report::Other(_))) {
        return Err(format!("unexpected report: {other}"));
    }
    let clean = own.reports.contains(&Report::Clean);
    let ios: Vec<io::ErrorKind> = own
        .reports
        .iter()
        .filter_map(|r| {
            if let Report::Io(k) = r {
                Some(*k)
            } else {
                None
            }
        })
        .collect();
    let unclean: Vec<&CloseCause> = own
        .reports
        .iter()
        .filter_map(|r| {
            if let Report::Unclean(c) = r {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    if clean && (!ios.is_empty() || !unclean.is_empty()) {
        return Err(format!(
            "both a clean and an unclean end reported: {:?}",
            own.reports
        ));
    }
    if own.reports.iter().filter(|r| **r == Report::Clean).count() > 1
        || unclean.len() > 1
        || ios.len() > 1
    {
        return Err(format!(
            "the end was reported more than once: {:?}",
            own.reports
        ));
    }
    match (&own.close_report, clean) {
        (Some(Report::Clean), false) => {
            return Err(format!("close said clean, receive said {:?}", own.reports));
        }
        (Some(Report::Unclean(_)), true) => {
            return Err(format!(
                "close said {:?}, receive said clean",
                own.close_report
            ));
        }
        _ => {}
    }
    // Exactly once, in order, intact: a prefix of what the peer sent, all of it after a clean end.
    let sent = &peer.sent;
    if own.received.len() > sent.len() || own.received[..] != sent[..own.received.len()] {
        let at = own
            .received
            .iter()
            .zip(sent)
            .position(|(a, b)| a != b)
            .unwrap_or(sent.len());
        return Err(format!(
            "received messages differ from the peer's sent ones at #{at} (received {}, peer sent {})",
            own.received.len(),
            sent.len()
        ));
    }
    if clean && own.received.len() != sent.len() {
        return Err(format!(
            "clean end after {} of the peer's {} messages",
            own.received.len(),
            sent.len()
        ));
    }
    match fault {
        Fault::None => {
            if !clean {
                return Err(format!(
                    "no fault, but the end was not clean: {:?}",
                    own.reports
                ));
            }
            if own.sent.len() != script.sides[side].messages.len() && !script.sides[1 - side].closer
            {
                return Err(format!(
                    "only {} of {} messages sent to a peer that does not close",
                    own.sent.len(),
                    script.sides[side].messages.len()
                ));
            }
        }
        Fault::Reset { .. } => {
            if !clean {
                if ios.iter().any(|k| *k != io::ErrorKind::ConnectionReset) {
                    return Err(format!(
                        "after a reset, an I/O error other than ConnectionReset: {:?}",
                        own.reports
                    ));
                }
                if unclean.iter().any(|c| !matches!(c, CloseCause::Aborted)) {
                    return Err(format!(
                        "after a reset, an end other than Aborted: {:?}",
                        own.reports
                    ));
                }
                if ios.is_empty() {
                    return Err(format!(
                        "a reset was not reported as an I/O error: {:?}",
                        own.reports
                    ));
                }
            }
        }
        Fault::Cut { .. } => {
            if !clean
                && (!ios.is_empty() || unclean.len() != 1 || !matches!(unclean[0], CloseCause::Eof))
            {
                return Err(format!(
                    "after a cut, the end must be one Eof: {:?}",
                    own.reports
                ));
            }
        }
    }
    // A send waits while the buffer is above its high-water mark, then queues one message;
    // control frames (pongs, the close) add a little.
    let limit = script.sides[side].config.write_buffer_high_water + own.largest_message + 1024;
    if own.max_buffered > limit {
        return Err(format!(
            "write buffer reached {} bytes (limit {limit})",
            own.max_buffered
        ));
    }
    Ok(())
}
