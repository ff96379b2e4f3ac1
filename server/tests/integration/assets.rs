//! The browser's files under `/pkg/`: hashed names kept by the browser for a year, sent
//! brotli- or gzip-compressed when the browser accepts it; pages are never stored.

use crate::harness::TestApp;
use app::server::infra::clock::Clock;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use reqwest::StatusCode;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

const HASH: &str = "Q2hhbmdlZEJ5QnVpbGQxMg";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A site root as cargo-leptos leaves it (no compressed copies yet) and the hash file it
/// writes: hashed names, or plain names and no hash file.
fn site(hashed: bool) -> (PathBuf, PathBuf, String) {
    let root = std::env::temp_dir().join(format!("portal-site-{:016x}", rand::random::<u64>()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = "(module (func $hydrate (export \"hydrate\")))\n".repeat(2_000);
    for (kind, body) in [
        ("wasm", wasm.as_str()),
        ("js", "export default function init() {}\n"),
        ("css", "body { margin: 0 }\n"),
    ] {
        let name = if hashed {
            format!("portal.{HASH}.{kind}")
        } else {
            format!("portal.{kind}")
        };
        std::fs::write(pkg.join(name), body).unwrap();
    }
    let hashes = root.join("hash.txt");
    if hashed {
        std::fs::write(&hashes, format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n")).unwrap();
    }
    (root, hashes, wasm)
}

async fn serve(root: &Path, hashes: &Path) -> Option<TestApp> {
    let (root, hashes) = (root.display().to_string(), hashes.display().to_string());
    TestApp::spawn_with(
        Clock::manual_at(jiff::Timestamp::now().as_millisecond()),
        server::MailChoice::Memory,
        |env| {
            env.push(("PORTAL_SITE_ROOT".into(), root));
            env.push(("PORTAL_HASH_FILE".into(), hashes));
        },
    )
    .await
}

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = TestApp::client().get(app.url(path));
    if let Some(accept) = accept {
        req = req.header(ACCEPT_ENCODING, accept);
    }
    req.send().await.unwrap()
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    r.headers()
        .get(&name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn browser_files_come_compressed_as_accepted_and_are_kept_for_a_year() {
    let (root, hashes, wasm) = site(true);
    let Some(app) = serve(&root, &hashes).await else {
        return;
    };
    let path = format!("/pkg/portal.{HASH}.wasm");

    // The server compresses the files in the background once it serves.
    let mut waited = Duration::ZERO;
    while header(&get(&app, &path, Some("br")).await, CONTENT_ENCODING) != "br" {
        assert!(
            waited < Duration::from_secs(30),
            "no brotli copy of {path} after {waited:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }

    let br = get(&app, &path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(header(&br, CONTENT_ENCODING), "br");
    assert_eq!(header(&br, CACHE_CONTROL), IMMUTABLE);
    assert_eq!(header(&br, VARY).to_lowercase(), "accept-encoding");
    let packed = br.bytes().await.unwrap();
    assert!(packed.len() < wasm.len() / 20, "{} bytes", packed.len());
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &packed[..], &mut plain).unwrap();
    assert_eq!(plain, wasm.as_bytes());

    let gz = get(&app, &path, Some("gzip")).await;
    assert_eq!(gz.status(), StatusCode::OK);
    assert_eq!(header(&gz, CONTENT_ENCODING), "gzip");
    assert_eq!(header(&gz, CACHE_CONTROL), IMMUTABLE);
    assert_eq!(header(&gz, VARY).to_lowercase(), "accept-encoding");
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert_eq!(plain, wasm);

    for accept in [None, Some("identity")] {
        let raw = get(&app, &path, accept).await;
        assert_eq!(raw.status(), StatusCode::OK);
        assert_eq!(header(&raw, CONTENT_ENCODING), "", "{accept:?}");
        assert_eq!(header(&raw, CACHE_CONTROL), IMMUTABLE);
        assert_eq!(header(&raw, VARY).to_lowercase(), "accept-encoding");
        assert_eq!(
            header(&raw, reqwest::header::CONTENT_TYPE),
            "application/wasm"
        );
        assert_eq!(raw.text().await.unwrap(), wasm);
    }

    // A name that is not there is not cached.
    let missing = get(&app, "/pkg/portal.AAAAAAAAAAAAAAAAAAAAAA.wasm", Some("br")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, CACHE_CONTROL), "no-store");

    // Pages link the hashed names and are never stored.
    let page = get(&app, "/login", Some("br, gzip")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, CACHE_CONTROL), "no-store");
    let html = page.text().await.unwrap();
    for kind in ["js", "wasm", "css"] {
        assert!(
            html.contains(&format!("/pkg/portal.{HASH}.{kind}")),
            "no hashed {kind} in {html}"
        );
    }
    assert!(!html.contains("/pkg/portal.css"), "{html}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn files_without_hashed_names_are_revalidated() {
    let (root, hashes, _) = site(false);
    let Some(app) = serve(&root, &hashes).await else {
        return;
    };
    let r = get(&app, "/pkg/portal.css", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
    assert_eq!(header(&r, VARY).to_lowercase(), "accept-encoding");
    let html = get(&app, "/login", None).await.text().await.unwrap();
    assert!(html.contains("/pkg/portal.css"), "{html}");
    std::fs::remove_dir_all(&root).unwrap();
}
