//! The smoke run CI makes: `siteward-bench --smoke`, each step in a child process as a full run
//! makes them, on the small world, briefly; every answer is checked (the engines agree, every
//! request succeeds, every email arrives). Asserts nothing about speed.

use std::process::Command;

#[test]
fn the_suite_runs_and_every_answer_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("BENCHMARKS.md");
    let status = Command::new(env!("CARGO_BIN_EXE_siteward-bench"))
        .args(["--smoke", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "the smoke run failed: {status}");
    let report = std::fs::read_to_string(&out).unwrap();
    for heading in [
        "Permission checks — small world, Siteward vs Cedar",
        "HTTP check endpoint vs a bare axum handler",
        "Invitation rendering — WebAssembly plugin vs native",
        "Bulk invitations vs the storage engine's own batch insert",
        "Email delivery to a local SMTP server",
        "Console pages vs the JSON endpoints that list the same rows",
        "The requests that read a partner's members, by the partner's size",
        "Starting on a large database",
        "The check endpoint on a SurrealDB server (ws://)",
    ] {
        assert!(
            report.contains(&format!("## {heading}")),
            "no section {heading}:\n{report}"
        );
    }
    assert!(
        report.contains("Both engines answered the same 5,000 questions alike"),
        "{report}"
    );
    // Every target the issue names has a row with a verdict in the summary.
    let summary = report
        .split("## Targets")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let verdicts = summary
        .lines()
        .filter(|l| l.ends_with("| met |") || l.contains("**missed** by"))
        .count();
    assert_eq!(verdicts, 26, "{summary}");
}

#[test]
fn steps_are_named_on_the_command_line() {
    use siteward_bench::{Part, Step, world::Size};
    let step = Step::named("permissions:large").unwrap();
    assert_eq!(
        (step.part, step.size),
        (Part::Permissions, Some(Size::LARGE))
    );
    assert_eq!(Step::named("http").unwrap().name(), "http");
    assert!(Step::named("permissions").is_none());
    assert!(Step::named("http:small").is_none());
    assert!(Step::named("nothing").is_none());
}
