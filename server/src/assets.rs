//! The browser's files under `/pkg/` (the WebAssembly, its JavaScript glue, the stylesheet).
//!
//! cargo-leptos names each of them after a hash of its content (`portal.<hash>.wasm`) and
//! writes the hashes to `hash.txt` next to the server binary; the pages then link the hashed
//! names, so a browser may keep such a file for a year without asking again (`immutable`): a
//! new build has new names. A file with a plain name (no hash file, or what cargo-leptos does
//! not rename) is cached with revalidation only.
//!
//! Each file is sent brotli- or gzip-compressed when the browser accepts it, from a `.br` or
//! `.gz` file beside it: `cargo leptos build --release --precompress` writes them, and the
//! server writes whatever is missing or older than its file when it starts to serve
//! (uncompressed until then), so a debug build is compressed too.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The directory under the site root that holds the browser's files, and its URL path.
pub const PKG_DIR: &str = "pkg";

/// A year, the longest lifetime caches honour, for a name that changes with the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A plain name: the browser may keep the file but asks whether it changed.
const REVALIDATE: &str = "no-cache";

/// Where the browser's files are and how they are named.
#[derive(Clone, Debug)]
pub struct SiteFiles {
    pub pkg_dir: PathBuf,
    /// The hash file cargo-leptos wrote, when there is one: names are hashed.
    pub hash_file: Option<PathBuf>,
}

impl SiteFiles {
    /// `hash_file` is the setting (a path, or the default `hash.txt` next to the binary);
    /// only a file that exists turns hashed names on.
    pub fn new(site_root: &Path, hash_file: &Path) -> SiteFiles {
        let pkg_dir = site_root.join(PKG_DIR);
        let hash_file = hash_file.is_file().then(|| absolute(hash_file));
        let files = SiteFiles { pkg_dir, hash_file };
        files.check();
        files
    }

    /// Leptos reads the hash file (relative to the binary's folder, or absolute) to name the
    /// script, the wasm and the stylesheet in every page.
    pub fn configure(
        &self,
        mut options: leptos::config::LeptosOptions,
    ) -> leptos::config::LeptosOptions {
        options.hash_files = self.hash_file.is_some();
        if let Some(path) = &self.hash_file {
            options.hash_file = path.to_string_lossy().into();
        }
        options
    }

    /// A hash file from another build than the site's files (`target/site` is shared by the
    /// debug and the release build) would make every page link files that do not exist.
    fn check(&self) {
        let Some(path) = &self.hash_file else {
            tracing::info!(
                folder = %self.pkg_dir.display(),
                "no hash file: browser files keep their plain names and are revalidated"
            );
            return;
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let missing: Vec<String> = text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .filter(|(kind, _)| matches!(kind.trim(), "js" | "wasm" | "css"))
            .map(|(kind, hash)| format!("portal.{}.{}", hash.trim(), kind.trim()))
            .filter(|name| !self.pkg_dir.join(name).is_file())
            .collect();
        if !missing.is_empty() {
            tracing::error!(
                hash_file = %path.display(),
                folder = %self.pkg_dir.display(),
                missing = %missing.join(", "),
                "the browser files are not from the build that wrote the hash file; \
                 pages will not load their script: rebuild with cargo leptos build"
            );
        }
    }

    /// `/pkg/…`: the files, precompressed when the request allows, with their caching.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let files = ServeDir::new(&self.pkg_dir)
            .precompressed_br()
            .precompressed_gzip();
        let service = tower::service_fn(move |req: Request| {
            let files = files.clone();
            let hashed = has_hashed_name(req.uri().path());
            async move {
                let res = files.oneshot(req).await?;
                Ok::<_, std::convert::Infallible>(with_caching(
                    res.map(axum::body::Body::new),
                    hashed,
                ))
            }
        });
        Router::new().nest_service(&format!("/{PKG_DIR}"), service)
    }
}

/// cargo-leptos puts 22 characters of base64url MD5 in a hashed name: `portal.<hash>.wasm`.
/// Files it leaves alone (wasm-bindgen's `snippets/`) keep their name when they change.
fn has_hashed_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn with_caching(mut res: Response, hashed: bool) -> Response {
    let found = matches!(
        res.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    let cache = match (found, hashed) {
        (true, true) => IMMUTABLE,
        (true, false) => REVALIDATE,
        (false, _) => "no-store",
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // The same URL is sent in different encodings: shared caches must keep them apart.
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The default hash file: where cargo-leptos writes it, next to the server binary.
pub fn default_hash_file() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .unwrap_or_else(|| PathBuf::from("hash.txt"))
}

/// Files above this size get the quicker compression levels: a debug build's wasm (12 MB)
/// would take a minute at brotli's best, the release one (a few hundred KB compressed)
/// takes a couple of seconds.
const LARGE: u64 = 4 << 20;

/// What one pass over the files did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Precompressed {
    pub written: usize,
    pub up_to_date: usize,
}

/// Writes the missing or stale `.br` and `.gz` files in a blocking task; until each is
/// renamed into place the plain file is served.
pub fn precompress_in_background(pkg_dir: PathBuf) {
    if !pkg_dir.is_dir() {
        return;
    }
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        match precompress(&pkg_dir) {
            Ok(done) => tracing::info!(
                folder = %pkg_dir.display(),
                written = done.written,
                up_to_date = done.up_to_date,
                ms = started.elapsed().as_millis() as u64,
                "browser files precompressed (brotli, gzip)"
            ),
            Err(e) => tracing::warn!(
                folder = %pkg_dir.display(),
                error = %e,
                "could not precompress the browser files; they are sent uncompressed"
            ),
        }
    });
}

/// Compresses every compressible file under `dir` whose `.br` or `.gz` is missing or older.
pub fn precompress(dir: &Path) -> std::io::Result<Precompressed> {
    let mut done = Precompressed::default();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let compressible = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "wasm" | "js" | "css" | "json" | "svg" | "map"));
            if !compressible {
                continue;
            }
            let modified = std::fs::metadata(&path)?.modified()?;
            for (suffix, compress) in [("br", brotli_bytes as Compress), ("gz", gzip_bytes)] {
                let target = sibling(&path, suffix);
                let fresh = std::fs::metadata(&target)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= modified);
                if fresh {
                    done.up_to_date += 1;
                    continue;
                }
                let plain = std::fs::read(&path)?;
                let packed = compress(&plain)?;
                // Written aside and renamed: a request never gets half a file.
                let part = sibling(&path, &format!("{suffix}.{}.part", std::process::id()));
                std::fs::write(&part, packed)?;
                std::fs::rename(&part, &target)?;
                done.written += 1;
            }
        }
    }
    Ok(done)
}

type Compress = fn(&[u8]) -> std::io::Result<Vec<u8>>;

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli_bytes(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let quality = if plain.len() as u64 > LARGE { 5 } else { 11 };
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        lgwin: 22,
        size_hint: plain.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(plain.len() / 3);
    brotli::BrotliCompress(&mut &plain[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_bytes(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let level = if plain.len() as u64 > LARGE { 6 } else { 9 };
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 3),
        flate2::Compression::new(level),
    );
    encoder.write_all(plain)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_count_as_hashed() {
        assert!(has_hashed_name("/portal.ZBSPaUrgWnDiXQ6YDutl_g.wasm"));
        assert!(has_hashed_name("/portal.d.ZBSPaUrgWnDiXQ6YDutl-g.ts"));
        assert!(!has_hashed_name("/portal.wasm"));
        assert!(!has_hashed_name("/portal.css"));
        assert!(!has_hashed_name(
            "/snippets/leptos-0123456789abcdef/inline0.js"
        ));
        assert!(!has_hashed_name("/ZBSPaUrgWnDiXQ6YDutl_g.js"));
        assert!(!has_hashed_name("/portal.ZBSPaUrgWnDiXQ6YDutl_g!.wasm"));
    }

    #[test]
    fn compressed_siblings_are_written_once_and_decode_to_the_file() {
        let dir = std::env::temp_dir().join(format!("portal-assets-{}", rand::random::<u64>()));
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        let js = "export function hello() { return 'hello'; }\n".repeat(200);
        std::fs::write(dir.join("portal.abc.js"), &js).unwrap();
        std::fs::write(dir.join("snippets").join("x.js"), &js).unwrap();
        std::fs::write(dir.join("favicon.png"), [0u8; 10]).unwrap();

        let first = precompress(&dir).unwrap();
        assert_eq!(
            first,
            Precompressed {
                written: 4,
                up_to_date: 0
            }
        );
        let again = precompress(&dir).unwrap();
        assert_eq!(
            again,
            Precompressed {
                written: 0,
                up_to_date: 4
            }
        );
        assert!(!dir.join("favicon.png.br").exists());

        let br = std::fs::read(dir.join("portal.abc.js.br")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, js.as_bytes());
        let gz = std::fs::read(dir.join("portal.abc.js.gz")).unwrap();
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, js);
        assert!(br.len() < js.len() / 10, "brotli left {} bytes", br.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
