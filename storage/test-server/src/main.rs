//! `surreal`, as SurrealDB ships it (`surreal start …`), for tests on this machine.

// As SurrealDB's own binary sets it: a release build of the server's futures needs more than
// the default 128.
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
