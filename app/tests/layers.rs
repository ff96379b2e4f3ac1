//! The layers import downwards only: services (`src/server/`) use the domain and the wire
//! types (`src/model/`), never the server functions (`src/api/`) or the UI (`src/pages/`,
//! `src/components/`); the wire types and the domain use neither services nor UI.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source folder") {
        let path = entry.expect("read entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::<layer>` path in the files below `folder` whose layer is in `forbidden`.
fn offending_imports(folder: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for layer in forbidden {
                if code.contains(&format!("crate::{layer}")) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn services_never_import_server_functions_or_pages() {
    let found = offending_imports("server", &["api", "pages", "components"]);
    assert!(
        found.is_empty(),
        "services import upwards:\n{}",
        found.join("\n")
    );
}

#[test]
fn wire_types_and_domain_import_no_services_or_ui() {
    for folder in ["model", "domain"] {
        let found = offending_imports(folder, &["api", "pages", "components", "server"]);
        assert!(
            found.is_empty(),
            "{folder} imports upwards:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn shared_infrastructure_knows_no_capability() {
    // The job runner, the database and the outbox serve every capability; the capabilities
    // hand them their jobs and backfills through `server/mod.rs`, not the other way round.
    let capabilities = [
        "server::identity",
        "server::payments",
        "server::refunds",
        "server::ledger",
        "server::links",
        "server::reporting",
        "server::operations",
    ];
    let found = offending_imports("server/infra", &capabilities);
    assert!(
        found.is_empty(),
        "infrastructure imports a capability:\n{}",
        found.join("\n")
    );
}
