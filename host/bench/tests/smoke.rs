//! The smoke run CI makes: every part of the suite runs on the small world, briefly, and
//! every answer is checked (the engines agree, every request succeeds, every email arrives).
//! Asserts nothing about speed.

#[test]
fn the_suite_runs_and_every_answer_agrees() {
    let report = siteward_bench::run(&siteward_bench::Options::smoke(), |part| {
        eprintln!("running: {part}")
    })
    .expect("the smoke run completes with every answer checked");
    let markdown = report.markdown();
    for heading in [
        "Permission checks — small world, Siteward vs Cedar",
        "HTTP check endpoint vs a bare axum handler",
        "Invitation rendering — WebAssembly plugin vs native",
        "Bulk invitations vs the storage engine's own batch insert",
        "Email delivery to a local SMTP server",
    ] {
        assert!(
            markdown.contains(&format!("## {heading}")),
            "no section {heading}:\n{markdown}"
        );
    }
    // Every target the issue names has a figure with a verdict.
    assert_eq!(report.targets().count(), 7, "{markdown}");
    assert!(
        markdown.contains("Both engines answered the same 5,000 questions alike"),
        "{markdown}"
    );
}
