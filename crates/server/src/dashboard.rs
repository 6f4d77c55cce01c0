//! The dashboard's files, embedded in the binary (no CDN: it works offline),
//! and the readable API page generated from the OpenAPI document.

use crate::api::openapi_json;
use crate::error::ApiError;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

/// (path under /assets/, content type, bytes). uPlot is vendored from npm
/// (`uplot` 1.6.32, MIT; its licence is served beside it).
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.js", "text/javascript; charset=utf-8", include_str!("../assets/app.js")),
    ("app.css", "text/css; charset=utf-8", include_str!("../assets/app.css")),
    (
        "vendor/uplot/uPlot.iife.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/vendor/uplot/uPlot.iife.min.js"),
    ),
    ("vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", include_str!("../assets/vendor/uplot/uPlot.min.css")),
    ("vendor/uplot/LICENSE", "text/plain; charset=utf-8", include_str!("../assets/vendor/uplot/LICENSE")),
];

const INDEX: &str = include_str!("../assets/index.html");

pub async fn index() -> Html<&'static str> {
    Html(INDEX)
}

/// An embedded file by exact name; anything else (including `../` tricks) is 404.
pub async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    let Some((_, ctype, body)) = ASSETS.iter().find(|(p, _, _)| *p == path) else {
        return Err(ApiError::not_found(format!("no asset `{path}`")));
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        *body,
    )
        .into_response())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn schema_name(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => format!("[{}]", v.get("items").map(schema_name).unwrap_or_default()),
        Some(Value::String(t)) => v.get("format").and_then(Value::as_str).map_or(t.clone(), |f| format!("{t} ({f})")),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "object".into(),
    }
}

/// `/api/v1/docs`: every endpoint, its parameters, responses and the schemas, from the OpenAPI document.
pub async fn docs_page() -> Html<String> {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Html(PAGE.get_or_init(|| render_docs(&serde_json::from_slice(openapi_json()).unwrap_or(Value::Null))).clone())
}

fn render_docs(doc: &Value) -> String {
    let mut h = String::from("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Fissure API</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body class=\"docs\"><main>");
    let info = &doc["info"];
    h += &format!(
        "<h1>{} <small>{} · OpenAPI {}</small></h1><p>{}</p><p><a href=\"/api/v1/openapi.json\">openapi.json</a> · <a href=\"/\">dashboard</a></p>",
        esc(info["title"].as_str().unwrap_or("")),
        esc(info["version"].as_str().unwrap_or("")),
        esc(doc["openapi"].as_str().unwrap_or("")),
        esc(info["description"].as_str().unwrap_or(""))
    );
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let secured = op.get("security").is_some();
                h += &format!(
                    "<section class=\"op\"><h2><span class=\"method\">{}</span> <code>{}</code>{}</h2>",
                    method.to_uppercase(),
                    esc(path),
                    if secured { " <span class=\"lock\">bearer token</span>" } else { "" }
                );
                if let Some(d) = op["description"].as_str().or(op["summary"].as_str()) {
                    h += &format!("<p>{}</p>", esc(d));
                }
                if let Some(params) = op["parameters"].as_array() {
                    h += "<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>";
                    for p in params {
                        h += &format!(
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            esc(p["name"].as_str().unwrap_or("")),
                            esc(p["in"].as_str().unwrap_or("")),
                            esc(&schema_name(&p["schema"])),
                            if p["required"].as_bool().unwrap_or(false) { "yes" } else { "no" },
                            esc(p["description"].as_str().unwrap_or(""))
                        );
                    }
                    h += "</tbody></table>";
                }
                if let Some(rb) = op["requestBody"]["content"].as_object() {
                    for (ct, c) in rb {
                        h += &format!(
                            "<p>Request body: <code>{}</code> — {}</p>",
                            esc(ct),
                            esc(&schema_name(&c["schema"]))
                        );
                    }
                }
                h += "<table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>";
                for (code, r) in op["responses"].as_object().into_iter().flatten() {
                    let body = r["content"]
                        .as_object()
                        .map(|c| {
                            c.iter()
                                .map(|(ct, v)| format!("{} {}", ct, schema_name(&v["schema"])))
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    h += &format!(
                        "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                        esc(code),
                        esc(r["description"].as_str().unwrap_or("")),
                        esc(&body)
                    );
                }
                h += "</tbody></table></section>";
            }
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        h += "<h2>Schemas</h2>";
        for (name, s) in schemas {
            h += &format!("<section class=\"op\"><h3 id=\"{0}\">{0}</h3>", esc(name));
            if let Some(props) = s["properties"].as_object() {
                h += "<table><thead><tr><th>field</th><th>type</th><th>description</th></tr></thead><tbody>";
                for (f, p) in props {
                    h += &format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(f),
                        esc(&schema_name(p)),
                        esc(p["description"].as_str().unwrap_or(""))
                    );
                }
                h += "</tbody></table>";
            }
            h += "</section>";
        }
    }
    h += "</main></body></html>";
    h
}
