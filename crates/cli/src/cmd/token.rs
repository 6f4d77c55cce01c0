//! `fissure token`: bearer tokens of `fissure serve` (stored hashed in the store).

use crate::ctx::Ctx;
use crate::output::{print_json, print_table};
use clap::{Subcommand, ValueEnum};
use fissure_server::auth::{self, Role};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// GET endpoints (needed only when `[server] public_reads = false`).
    Read,
    /// Ingest and admin endpoints, and reads.
    Write,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token; it is printed once, alone on the last line (only its hash is stored).
    #[command(
        after_help = "Example:\n  TOKEN=$(fissure token create --role write --name ci | tail -n 1)\n  curl -H \"Authorization: Bearer $TOKEN\" -F file=@SPX.csv http://127.0.0.1:8750/api/v1/ingest"
    )]
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A note saying who or what uses it.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List tokens (id, name, role, created, revoked); never the tokens themselves.
    List,
    /// Revoke a token by id (a running server refuses it within 2 s).
    Revoke {
        /// The token id (`fissure token list`; the 12 hex digits after `fst_`).
        id: String,
    },
}

pub fn run(ctx: &Ctx, cmd: &TokenCmd) -> anyhow::Result<()> {
    let store = ctx.open_store_mut()?;
    match cmd {
        TokenCmd::Create { role, name } => {
            let role = match role {
                RoleArg::Read => Role::Read,
                RoleArg::Write => Role::Write,
            };
            let t = auth::create_token(&store, role, name)?;
            if ctx.json {
                return print_json(
                    &serde_json::json!({"id": t.id, "role": role.as_str(), "name": name, "token": t.token}),
                );
            }
            eprintln!("Created {} token {} — copy it now, it is not shown again:", role.as_str(), t.id);
            println!("{}", t.token);
        }
        TokenCmd::List => {
            let list = store.token_list()?;
            if ctx.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|t| {
                    vec![
                        t.id.clone(),
                        t.name.clone(),
                        t.role.clone(),
                        t.created_at.clone(),
                        t.revoked_at.clone().unwrap_or_else(|| "active".into()),
                    ]
                })
                .collect();
            print_table(&["id", "name", "role", "created", "revoked"], &rows);
        }
        TokenCmd::Revoke { id } => {
            auth::revoke_token(&store, id)?;
            if ctx.json {
                return print_json(&serde_json::json!({"revoked": id}));
            }
            println!("revoked {id}");
        }
    }
    Ok(())
}
