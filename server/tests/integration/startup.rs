//! Starting an instance of the application must not disturb one that is already serving in
//! the same process (the tests run many side by side).

use reqwest::StatusCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_rendering_while_another_instance_starts() {
    let app = crate::app!();
    let starting = Starting::new();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for i in 0..100 {
        // The payment page loads its data through a resource while it renders.
        let r = client
            .get(app.url("/pay/no-such-link"))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i} hung while an instance started: {e}"));
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let page = r.text().await.expect("body");
        assert!(page.contains("</html>"), "request {i} was cut short");
    }
    starting.finish();
}

/// A thread that keeps starting instances (listing the routes is what starting an instance
/// does before it serves) until it is finished or dropped, also when the test fails.
struct Starting {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<usize>>,
}

impl Starting {
    fn new() -> Starting {
        let stop = Arc::new(AtomicBool::new(false));
        let runtime = tokio::runtime::Handle::current();
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let _in_runtime = runtime.enter();
                let mut started = 0;
                while !stop.load(Ordering::Relaxed) {
                    assert!(!server::endpoints().is_empty());
                    started += 1;
                }
                started
            }
        });
        Starting {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let started = self.thread.take().unwrap().join().expect("route listing");
        assert!(started > 0, "no instance started during the test");
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
