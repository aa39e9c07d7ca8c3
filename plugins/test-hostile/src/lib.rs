//! A test fixture, never installed by the host: an invitation renderer that misbehaves in the
//! way its configuration's `mode` names, so the runtime's limits can be tested against a real
//! component.
//!
//! Modes: `ok` (renders), `error` (reports a plugin error), `trap` (panics), `spin` (loops
//! forever), `grow` (allocates until memory runs out), `huge` (returns `size` bytes of HTML),
//! `work` (does `size` rounds of arithmetic, then renders: fuel is measurable), `recurse`
//! (recurses without end), `picky` (renders, but panics when the invitee's address starts with
//! `panic`), `clock` and `env` (reach for the system clock or the environment, which a plugin
//! does not have), `shout` (writes `size` bytes to stderr, then panics).

use siteward_guest_sdk::config_value;
use siteward_guest_sdk::renderer::{Guest, InvitationContext, PluginError, RenderedEmail};

/// The plugin.
pub struct TestHostile;

fn size(config: &[(String, String)]) -> usize {
    config_value(config, "size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024)
}

/// Recurses until the stack runs out; the frame keeps a buffer so it cannot be optimised into
/// a loop.
#[allow(unconditional_recursion, reason = "unbounded recursion is the point")]
fn descend(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 16]);
    descend(depth + 1).wrapping_add(frame[7])
}

fn email(invitation: &InvitationContext, html: String) -> RenderedEmail {
    RenderedEmail {
        subject: format!("Invitation for {}", invitation.invitee_email),
        html,
        text: invitation.accept_link.clone(),
    }
}

impl Guest for TestHostile {
    fn render(
        config: Vec<(String, String)>,
        invitation: InvitationContext,
    ) -> Result<RenderedEmail, PluginError> {
        match config_value(&config, "mode").unwrap_or("ok") {
            "error" => Err(PluginError {
                code: "refused".to_owned(),
                message: "asked to fail".to_owned(),
            }),
            "trap" => panic!("asked to trap"),
            "spin" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "grow" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(std::hint::black_box(vec![1; 1 << 20]));
                }
            }
            "huge" => Ok(email(&invitation, "x".repeat(size(&config)))),
            "work" => {
                let mut acc: u64 = 0;
                for i in 0..size(&config) as u64 {
                    acc = std::hint::black_box(acc.wrapping_mul(31).wrapping_add(i));
                }
                Ok(email(&invitation, acc.to_string()))
            }
            "recurse" => Ok(email(&invitation, descend(0).to_string())),
            "shout" => {
                eprint!("{}", "a".repeat(size(&config)));
                panic!("asked to shout, then trap")
            }
            "picky" => {
                assert!(
                    !invitation.invitee_email.starts_with("panic"),
                    "cannot render for {}",
                    invitation.invitee_email
                );
                Ok(email(&invitation, String::new()))
            }
            "clock" => {
                let now = std::time::SystemTime::now();
                Ok(email(&invitation, format!("{now:?}")))
            }
            "env" => {
                let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
                Ok(email(&invitation, vars.join(",")))
            }
            // A subject that would add a header of its own to the email.
            "header" => Ok(RenderedEmail {
                subject: "Hello\r\nBcc: everyone@example.com".to_owned(),
                ..email(&invitation, String::new())
            }),
            // Leaves the accept link out: the invitee could not accept.
            "no-link" => Ok(RenderedEmail {
                text: "Welcome!".to_owned(),
                ..email(&invitation, String::new())
            }),
            _ => Ok(email(&invitation, String::new())),
        }
    }
}

siteward_guest_sdk::export_invitation_renderer!(TestHostile);
