//! The log: structured lines (tracing) written by a background thread, and one
//! INFO line per request.
//!
//! A request thread never writes to stderr itself: the formatted line goes into a
//! bounded queue that a writer thread drains into a buffered stderr, flushing
//! whenever the queue is empty. If the queue is full (stderr slower than the
//! requests), the line is dropped and counted, and the writer reports the count
//! in the log as soon as it catches up — a busy server is never slowed by its log.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Instant;

/// Lines the queue holds before new lines are dropped.
pub const QUEUE_LINES: usize = 1 << 16;

/// A `MakeWriter` that hands each formatted line to the writer thread.
#[derive(Clone)]
pub struct QueuedWriter {
    tx: SyncSender<Vec<u8>>,
    dropped: Arc<AtomicU64>,
}

impl QueuedWriter {
    /// Starts the writer thread draining into `out`.
    pub fn new<W: Write + Send + 'static>(out: W) -> std::io::Result<QueuedWriter> {
        let (tx, rx) = sync_channel(QUEUE_LINES);
        let dropped = Arc::new(AtomicU64::new(0));
        let d = dropped.clone();
        std::thread::Builder::new().name("fissure-log".into()).spawn(move || drain(rx, out, d))?;
        Ok(QueuedWriter { tx, dropped })
    }

    /// Lines dropped so far because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

fn drain<W: Write>(rx: Receiver<Vec<u8>>, out: W, dropped: Arc<AtomicU64>) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut reported = 0;
    while let Ok(line) = rx.recv() {
        let _ = out.write_all(&line);
        while let Ok(line) = rx.try_recv() {
            let _ = out.write_all(&line);
        }
        let d = dropped.load(Ordering::Relaxed);
        if d > reported {
            let _ = writeln!(out, "WARN log: {} lines dropped (the log could not keep up)", d - reported);
            reported = d;
        }
        let _ = out.flush();
    }
    let _ = out.flush();
}

/// One line on its way to the writer thread.
pub struct Line<'a>(&'a QueuedWriter);

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.tx.try_send(buf.to_vec()) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.0.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                let _ = std::io::stderr().write_all(buf);
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for QueuedWriter {
    type Writer = Line<'a>;
    fn make_writer(&'a self) -> Line<'a> {
        Line(self)
    }
}

/// The request log: after each response, one INFO event with the method, the
/// route (its pattern, e.g. `/api/v1/series/{id}`, and the path), the status and
/// the latency in µs. No span per request: the line is formatted once.
pub async fn request_log(req: Request, next: Next) -> Response {
    if !tracing::enabled!(tracing::Level::INFO) {
        return next.run(req).await;
    }
    let t = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let micros = t.elapsed().as_micros() as u64;
    match route {
        Some(r) if r != path => tracing::info!(%method, %path, route = %r, status, micros, "request"),
        _ => tracing::info!(%method, %path, status, micros, "request"),
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_arrive_whole_and_in_order() {
        let sink = Sink::default();
        let w = QueuedWriter::new(sink.clone()).unwrap();
        for i in 0..1000 {
            let mut l = tracing_subscriber::fmt::MakeWriter::make_writer(&w);
            l.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        drop(w);
        // the writer thread ends when every sender is gone; wait for the last line
        for _ in 0..500 {
            if sink.0.lock().unwrap().ends_with(b"line 999\n") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000, "{}", &text[..200.min(text.len())]);
        assert!(lines.iter().enumerate().all(|(i, l)| *l == format!("line {i}")));
    }
}
