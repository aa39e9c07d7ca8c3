//! The systemd unit in `host/server/packaging/` as systemd reads it: it verifies against the
//! real binary with nothing ignored or warned about, and its hardening stays in place.

use std::process::Command;

const UNIT: &str = include_str!("../../packaging/siteward.service");

#[test]
fn the_systemd_unit_verifies_and_keeps_its_hardening() {
    for setting in [
        "DynamicUser=yes",
        "StateDirectory=siteward",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "PrivateDevices=yes",
        "SystemCallFilter=@system-service",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    ] {
        assert!(UNIT.contains(setting), "the unit sets {setting:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("siteward.service");
    std::fs::write(
        &path,
        UNIT.replace("/usr/local/bin/siteward", env!("CARGO_BIN_EXE_siteward")),
    )
    .unwrap();
    let verified = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze runs (.ci/run installs systemd)");
    let said = String::from_utf8_lossy(&verified.stderr);
    assert!(verified.status.success(), "{said}");
    assert_eq!(
        said, "",
        "systemd ignores or warns about nothing in the unit"
    );
}
