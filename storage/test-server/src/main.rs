//! `surreal`, as SurrealDB ships it (`surreal start …`), for tests on this machine.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
