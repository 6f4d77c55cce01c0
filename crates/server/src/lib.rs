//! `fissure serve`: the live dashboard and the REST API over the store.
//!
//! axum on tokio. The server knows families only through [`Engine`] (the
//! binary passes one that builds the same report as `fissure report`), serves
//! the report's own JSON, takes uploads through the same readers as `fissure
//! ingest`, and raises alerts from rules in the watchlist's `[server]` section.
//! See `docs/server.md`.

pub mod alerts;
pub mod analysis;
pub mod api;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod ingest;
pub mod loadgen;
pub mod log;
pub mod settings;
pub mod state;
pub mod web;

pub use analysis::{Analysis, AnalysisError};
pub use settings::ServerSettings;
pub use state::{AppState, Engine, Snapshot};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("binding {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    #[error(transparent)]
    Store(#[from] fissure_io::StoreError),
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// A running server (tests and the CLI).
pub struct Running {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits for the end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        let _ = self.state.shutdown.send(true);
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Waits until the first report is served (or its build failed).
    pub async fn ready(&self) {
        while self.state.latest().is_none() && self.state.build_error.read().map(|e| e.is_none()).unwrap_or(false) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// Binds `addr`, starts building the first report, the token refresher and the
/// schedule, and serves until [`Running::stop`] (inside a tokio runtime).
pub async fn start(
    engine: Arc<dyn Engine>,
    store: PathBuf,
    settings: ServerSettings,
    addr: SocketAddr,
) -> Result<Running, ServeError> {
    let state = Arc::new(AppState::new(engine, store, settings)?);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    {
        let st = state.clone();
        tokio::spawn(async move { st.refresh_latest().await });
    }
    if let Some(s) = state.settings.schedule.clone() {
        tokio::spawn(ingest::run_schedule(state.clone(), s.folder, s.every_minutes));
    }
    let app = web::router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running { addr, state, shutdown: Some(tx), task })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Starts the log (stderr, written by a background thread: see [`log`]; `RUST_LOG`
/// overrides the level, default `info`: one line per request).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let Ok(writer) = log::QueuedWriter::new(std::io::stderr()) else {
        eprintln!("warning: no log thread could be started; logging to stderr directly");
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// Runs the server until SIGINT/SIGTERM (the `fissure serve` entry point);
/// `on_ready` is called with the bound address.
pub fn serve(
    engine: Arc<dyn Engine>,
    store: PathBuf,
    settings: ServerSettings,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let running = start(engine, store, settings, addr).await?;
        on_ready(running.addr);
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests in flight");
        // SSE streams never end by themselves: give requests 10 s, then stop.
        match tokio::time::timeout(std::time::Duration::from_secs(10), running.stop()).await {
            Ok(r) => r?,
            Err(_) => tracing::warn!("requests still open after 10 s; stopping"),
        }
        Ok(())
    })
}
