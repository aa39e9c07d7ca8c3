//! The four worlds of `siteward:plugin`, in each WIT version the host loads (0.1.0 and
//! 0.2.0), their host bindings, and one typed call each.
//!
//! The host speaks the newest version: every call takes and returns its types ([`renderer`],
//! [`hook`], [`exporter`], [`policy`] are 0.2.0's). A plugin built against 0.1.0 is called
//! through its own bindings, its input written down to 0.1.0 and its answer read back up; a
//! later version gets a module beside these, and [`Prepared`] a variant per version.

use wasmtime::component::InstancePre;

use crate::outputs;
use crate::runtime::{Plugin, WitVersion};
use crate::sandbox::{Failure, Outcome, Sandbox};

/// A world of the WIT package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum World {
    /// Renders invitation emails (exports `renderer`).
    InvitationRenderer,
    /// Turns domain events into emails and webhook calls (exports `hook`).
    NotificationHook,
    /// Writes audit events in a format (exports `exporter`).
    AuditExporter,
    /// Decides whether invitations may be sent (exports `policy`).
    InvitationPolicy,
}

impl World {
    /// Every world.
    pub const ALL: [Self; 4] = [
        Self::InvitationRenderer,
        Self::NotificationHook,
        Self::AuditExporter,
        Self::InvitationPolicy,
    ];

    /// The world's name in the WIT package.
    pub fn name(self) -> &'static str {
        match self {
            Self::InvitationRenderer => "invitation-renderer",
            Self::NotificationHook => "notification-hook",
            Self::AuditExporter => "audit-exporter",
            Self::InvitationPolicy => "invitation-policy",
        }
    }

    /// The world whose interface is `interface`.
    pub(crate) fn exporting(interface: &str) -> Option<Self> {
        Some(match interface {
            "renderer" => Self::InvitationRenderer,
            "hook" => Self::NotificationHook,
            "exporter" => Self::AuditExporter,
            "policy" => Self::InvitationPolicy,
            _ => return None,
        })
    }
}

/// The bindings of one WIT version's four worlds, each world a module that re-exports the
/// types its call takes and returns.
macro_rules! version_bindings {
    ($path:literal) => {
        /// The `invitation-renderer` world.
        pub mod renderer {
            wasmtime::component::bindgen!({
                path: $path,
                world: "invitation-renderer",
                additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
            });
            pub use exports::siteward::plugin::renderer::{
                Branding, InvitationContext, InvitationKind, RenderedEmail,
            };
            pub use siteward::plugin::types::PluginError;
        }

        /// The `notification-hook` world.
        pub mod hook {
            wasmtime::component::bindgen!({
                path: $path,
                world: "notification-hook",
                additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
            });
            pub use exports::siteward::plugin::hook::*;
            pub use siteward::plugin::types::{FieldChange, PluginError};
        }

        /// The `audit-exporter` world.
        pub mod exporter {
            wasmtime::component::bindgen!({
                path: $path,
                world: "audit-exporter",
                additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
            });
            pub use exports::siteward::plugin::exporter::{AuditEvent, Exported};
            pub use siteward::plugin::types::{FieldChange, PluginError};
        }

        /// The `invitation-policy` world.
        pub mod policy {
            wasmtime::component::bindgen!({
                path: $path,
                world: "invitation-policy",
                additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
            });
            pub use exports::siteward::plugin::policy::{Decision, ProposedInvitation};
            pub use siteward::plugin::types::PluginError;
        }

        plugin_error!(renderer, hook, exporter, policy);
    };
}

macro_rules! plugin_error {
    ($($module:ident),*) => {$(
        impl From<$module::PluginError> for crate::sandbox::Failure {
            fn from(error: $module::PluginError) -> Self {
                Self::Plugin { code: error.code, message: error.message }
            }
        }
    )*};
}

/// `siteward:plugin@0.1.0`, frozen: its plugins keep loading and are called through
/// [`Down`], their answers read back through [`Up`].
#[allow(missing_docs)]
pub mod v0_1 {
    version_bindings!("../../wit/siteward-plugin@0.1.0");
}

/// `siteward:plugin@0.2.0`, the newest: the types the host speaks.
#[allow(missing_docs)]
pub mod v0_2 {
    version_bindings!("../../wit/siteward-plugin@0.2.0");
}

pub use v0_2::{exporter, hook, policy, renderer};

/// The stand-in a 0.2.0 renderer writes wherever the accept link goes; the host puts the real
/// link (which carries the invitee's credential) in its place after rendering.
pub const ACCEPT_LINK_STAND_IN: &str = "https://accept-link.siteward.invalid/";

/// A value of the newest WIT version as an older version's record of the same name, through
/// their shared JSON spelling (serde field and variant names are the same across versions):
/// fields the older version lacks are left out, and a value it cannot express (a variant it
/// does not have) is [`Failure::Unsupported`]. The older version's answer comes back with
/// [`up`].
fn down<New: serde::Serialize, Old: serde::de::DeserializeOwned>(
    value: &New,
    version: &str,
) -> Result<Old, Failure> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            Failure::Unsupported(format!("a {version} plugin cannot take this input ({e})"))
        })
}

/// An older version's answer as the newest version's record (the reverse of [`down`]); the
/// records the host reads back are the same in every version, so this cannot fail for a
/// well-formed answer.
fn up<Old: serde::Serialize, New: serde::de::DeserializeOwned>(value: Old) -> Result<New, Failure> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Failure::InvalidOutput(format!("the answer does not read as 0.2.0: {e}")))
}

/// A component linked and checked against its world and version, ready to instantiate.
pub(crate) enum Prepared {
    Renderer(v0_2::renderer::InvitationRendererPre<Sandbox>),
    Hook(v0_2::hook::NotificationHookPre<Sandbox>),
    Exporter(v0_2::exporter::AuditExporterPre<Sandbox>),
    Policy(v0_2::policy::InvitationPolicyPre<Sandbox>),
    Renderer01(v0_1::renderer::InvitationRendererPre<Sandbox>),
    Hook01(v0_1::hook::NotificationHookPre<Sandbox>),
    Exporter01(v0_1::exporter::AuditExporterPre<Sandbox>),
    Policy01(v0_1::policy::InvitationPolicyPre<Sandbox>),
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Renderer(_) => "Prepared::Renderer",
            Self::Hook(_) => "Prepared::Hook",
            Self::Exporter(_) => "Prepared::Exporter",
            Self::Policy(_) => "Prepared::Policy",
            Self::Renderer01(_) => "Prepared::Renderer01",
            Self::Hook01(_) => "Prepared::Hook01",
            Self::Exporter01(_) => "Prepared::Exporter01",
            Self::Policy01(_) => "Prepared::Policy01",
        })
    }
}

impl Prepared {
    /// Links `pre` as `world` of WIT version `version` (0.1 or 0.2: the runtime loads no
    /// other).
    pub(crate) fn new(
        world: World,
        version: WitVersion,
        pre: InstancePre<Sandbox>,
    ) -> wasmtime::Result<Self> {
        Ok(match (world, version.minor) {
            (World::InvitationRenderer, 1) => {
                Self::Renderer01(v0_1::renderer::InvitationRendererPre::new(pre)?)
            }
            (World::NotificationHook, 1) => {
                Self::Hook01(v0_1::hook::NotificationHookPre::new(pre)?)
            }
            (World::AuditExporter, 1) => {
                Self::Exporter01(v0_1::exporter::AuditExporterPre::new(pre)?)
            }
            (World::InvitationPolicy, 1) => {
                Self::Policy01(v0_1::policy::InvitationPolicyPre::new(pre)?)
            }
            (World::InvitationRenderer, _) => {
                Self::Renderer(v0_2::renderer::InvitationRendererPre::new(pre)?)
            }
            (World::NotificationHook, _) => Self::Hook(v0_2::hook::NotificationHookPre::new(pre)?),
            (World::AuditExporter, _) => {
                Self::Exporter(v0_2::exporter::AuditExporterPre::new(pre)?)
            }
            (World::InvitationPolicy, _) => {
                Self::Policy(v0_2::policy::InvitationPolicyPre::new(pre)?)
            }
        })
    }
}

/// The operator's configuration of a plugin, as the WIT's `config` (names and values).
pub type Config = Vec<(String, String)>;

fn config_bytes(config: &Config) -> usize {
    config.iter().map(|(k, v)| k.len() + v.len()).sum()
}

fn option_bytes(value: &Option<String>) -> usize {
    value.as_ref().map_or(0, String::len)
}

/// The outcome of a call the plugin could not be given (see [`down`]).
fn not_called<T>(failure: Failure) -> Outcome<T> {
    Outcome {
        result: Err(failure),
        fuel_used: 0,
        elapsed: std::time::Duration::ZERO,
    }
}

/// The outcome of calling a plugin as a world it does not implement.
fn wrong_world<T>(plugin: &Plugin, wanted: World) -> Outcome<T> {
    Outcome {
        result: Err(Failure::Trap(format!(
            "a {} plugin was called as {}",
            plugin.world().name(),
            wanted.name()
        ))),
        fuel_used: 0,
        elapsed: std::time::Duration::ZERO,
    }
}

/// Each call runs on behalf of a tenant (a partner's id, or a name for the platform's own
/// calls): a tenant's calls hold at most its share of the runtime's instance slots.
impl Plugin {
    /// Renders an invitation email (an `invitation-renderer` plugin).
    pub fn render(
        &self,
        tenant: &str,
        config: &Config,
        invitation: &renderer::InvitationContext,
    ) -> Outcome<renderer::RenderedEmail> {
        let b = &invitation.branding;
        let input = config_bytes(config)
            + invitation.invitee_email.len()
            + invitation.inviter_name.len()
            + b.display_name.len()
            + option_bytes(&b.logo_url)
            + option_bytes(&b.accent_colour)
            + option_bytes(&b.support_contact)
            + option_bytes(&invitation.site_name)
            + option_bytes(&invitation.level)
            + option_bytes(&invitation.role)
            + invitation.accept_link.len()
            + invitation.expires_at.len()
            + invitation.locale.len();
        let size = |email: &renderer::RenderedEmail| {
            email.subject.len() + email.html.len() + email.text.len()
        };
        match self.prepared() {
            // 0.2.0: the plugin sees a stand-in, never the link with the credential.
            Prepared::Renderer(pre) => {
                let shown = renderer::InvitationContext {
                    accept_link: ACCEPT_LINK_STAND_IN.to_owned(),
                    ..invitation.clone()
                };
                let outcome = self.call(
                    tenant,
                    input,
                    |store| {
                        let instance = pre.instantiate(&mut *store)?;
                        let rendered = instance.siteward_plugin_renderer().call_render(
                            &mut *store,
                            config,
                            &shown,
                        )?;
                        Ok(rendered.map_err(Failure::from))
                    },
                    size,
                );
                let outcome = checked(outcome, |email| {
                    outputs::check_subject(&email.subject)?;
                    if email.text.contains(ACCEPT_LINK_STAND_IN) {
                        Ok(())
                    } else {
                        Err("the text part does not carry the accept link: write the \
                             invitation's `accept-link` where it goes"
                            .to_owned())
                    }
                });
                Outcome {
                    result: outcome.result.map(|email| renderer::RenderedEmail {
                        html: email
                            .html
                            .replace(ACCEPT_LINK_STAND_IN, &invitation.accept_link),
                        text: email
                            .text
                            .replace(ACCEPT_LINK_STAND_IN, &invitation.accept_link),
                        subject: email.subject,
                    }),
                    ..outcome
                }
            }
            // 0.1.0 renderers were promised the link itself, and keep getting it.
            Prepared::Renderer01(pre) => {
                let old: v0_1::renderer::InvitationContext = match down(invitation, "0.1.0") {
                    Ok(old) => old,
                    Err(failure) => return not_called(failure),
                };
                let outcome = self.call(
                    tenant,
                    input,
                    |store| {
                        let instance = pre.instantiate(&mut *store)?;
                        let rendered = instance.siteward_plugin_renderer().call_render(
                            &mut *store,
                            config,
                            &old,
                        )?;
                        Ok(rendered.map_err(Failure::from).and_then(up))
                    },
                    size,
                );
                checked(outcome, |email| outputs::check_subject(&email.subject))
            }
            _ => wrong_world(self, World::InvitationRenderer),
        }
    }

    /// Decides what should follow a domain event (a `notification-hook` plugin).
    pub fn on_event(
        &self,
        tenant: &str,
        config: &Config,
        event: &hook::DomainEvent,
    ) -> Outcome<Vec<hook::Action>> {
        let person_bytes = |p: &Option<hook::Person>| {
            p.as_ref().map_or(0, |p| {
                option_bytes(&p.id) + option_bytes(&p.name) + p.email.len()
            })
        };
        let input = config_bytes(config)
            + event.id.len()
            + event.kind.len()
            + event.at.len()
            + option_bytes(&event.partner_id)
            + option_bytes(&event.partner_name)
            + option_bytes(&event.site_id)
            + option_bytes(&event.site_name)
            + option_bytes(&event.actor_id)
            + person_bytes(&event.actor)
            + event.target_kind.len()
            + event.target_id.len()
            + person_bytes(&event.person)
            + event.changes.iter().map(change_bytes_hook).sum::<usize>()
            + event.console_url.len();
        let size = |actions: &Vec<hook::Action>| actions.iter().map(action_bytes).sum();
        let outcome = match self.prepared() {
            Prepared::Hook(pre) => self.call(
                tenant,
                input,
                |store| {
                    let instance = pre.instantiate(&mut *store)?;
                    let actions = instance.siteward_plugin_hook().call_on_event(
                        &mut *store,
                        config,
                        event,
                    )?;
                    Ok(actions.map_err(Failure::from))
                },
                size,
            ),
            Prepared::Hook01(pre) => {
                let old: v0_1::hook::DomainEvent = match down(event, "0.1.0") {
                    Ok(old) => old,
                    Err(failure) => return not_called(failure),
                };
                self.call(
                    tenant,
                    input,
                    |store| {
                        let instance = pre.instantiate(&mut *store)?;
                        let actions = instance.siteward_plugin_hook().call_on_event(
                            &mut *store,
                            config,
                            &old,
                        )?;
                        Ok(actions.map_err(Failure::from).and_then(up))
                    },
                    size,
                )
            }
            _ => return wrong_world(self, World::NotificationHook),
        };
        checked(outcome, |actions| {
            actions.iter().try_for_each(|action| match action {
                hook::Action::SendEmail(email) => outputs::check_subject(&email.subject),
                _ => Ok(()),
            })
        })
    }

    /// Formats a batch of audit events (an `audit-exporter` plugin).
    pub fn export_batch(
        &self,
        tenant: &str,
        config: &Config,
        events: &[exporter::AuditEvent],
    ) -> Outcome<exporter::Exported> {
        let input = config_bytes(config) + events.iter().map(audit_event_bytes).sum::<usize>();
        let size =
            |exported: &exporter::Exported| exported.content_type.len() + exported.bytes.len();
        let outcome = match self.prepared() {
            Prepared::Exporter(pre) => self.call(
                tenant,
                input,
                |store| {
                    let instance = pre.instantiate(&mut *store)?;
                    let exported = instance.siteward_plugin_exporter().call_export_batch(
                        &mut *store,
                        config,
                        events,
                    )?;
                    Ok(exported.map_err(Failure::from))
                },
                size,
            ),
            Prepared::Exporter01(pre) => {
                let old: Vec<v0_1::exporter::AuditEvent> = match down(&events, "0.1.0") {
                    Ok(old) => old,
                    Err(failure) => return not_called(failure),
                };
                self.call(
                    tenant,
                    input,
                    |store| {
                        let instance = pre.instantiate(&mut *store)?;
                        let exported = instance.siteward_plugin_exporter().call_export_batch(
                            &mut *store,
                            config,
                            &old,
                        )?;
                        Ok(exported.map_err(Failure::from).and_then(up))
                    },
                    size,
                )
            }
            _ => return wrong_world(self, World::AuditExporter),
        };
        checked(outcome, |exported| {
            outputs::check_media_type(&exported.content_type)
                .map_err(|why| format!("the content type {why}"))
        })
    }

    /// Decides about a proposed invitation (an `invitation-policy` plugin).
    pub fn evaluate(
        &self,
        tenant: &str,
        config: &Config,
        invitation: &policy::ProposedInvitation,
    ) -> Outcome<policy::Decision> {
        let input = config_bytes(config)
            + invitation.partner_id.len()
            + invitation.inviter_id.len()
            + invitation.inviter_role.len()
            + invitation.invitee_email.len()
            + option_bytes(&invitation.site_id)
            + option_bytes(&invitation.level)
            + option_bytes(&invitation.role)
            + invitation.now.len()
            + 4;
        let size = |decision: &policy::Decision| match decision {
            policy::Decision::Allow => 0,
            policy::Decision::Deny(reason) | policy::Decision::RequireApproval(reason) => {
                reason.len()
            }
        };
        let outcome = match self.prepared() {
            Prepared::Policy(pre) => self.call(
                tenant,
                input,
                |store| {
                    let instance = pre.instantiate(&mut *store)?;
                    let decision = instance.siteward_plugin_policy().call_evaluate(
                        &mut *store,
                        config,
                        invitation,
                    )?;
                    Ok(decision.map_err(Failure::from))
                },
                size,
            ),
            Prepared::Policy01(pre) => {
                let old: v0_1::policy::ProposedInvitation = match down(invitation, "0.1.0") {
                    Ok(old) => old,
                    Err(failure) => return not_called(failure),
                };
                self.call(
                    tenant,
                    input,
                    |store| {
                        let instance = pre.instantiate(&mut *store)?;
                        let decision = instance.siteward_plugin_policy().call_evaluate(
                            &mut *store,
                            config,
                            &old,
                        )?;
                        Ok(decision.map_err(Failure::from).and_then(up))
                    },
                    size,
                )
            }
            _ => return wrong_world(self, World::InvitationPolicy),
        };
        Outcome {
            result: outcome.result.map(|decision| match decision {
                policy::Decision::Allow => policy::Decision::Allow,
                policy::Decision::Deny(reason) => {
                    policy::Decision::Deny(outputs::tidy_reason(reason))
                }
                policy::Decision::RequireApproval(reason) => {
                    policy::Decision::RequireApproval(outputs::tidy_reason(reason))
                }
            }),
            ..outcome
        }
    }
}

fn change_bytes_hook(change: &hook::FieldChange) -> usize {
    change.field.len() + option_bytes(&change.before) + option_bytes(&change.after)
}

fn action_bytes(action: &hook::Action) -> usize {
    match action {
        hook::Action::SendEmail(email) => {
            email.subject.len()
                + email.text.len()
                + option_bytes(&email.html)
                + email
                    .to
                    .iter()
                    .map(|r| match r {
                        hook::Recipient::Address(a) => a.len(),
                        _ => 1,
                    })
                    .sum::<usize>()
        }
        hook::Action::CallWebhook(call) => call.target.len() + call.body.len(),
    }
}

fn audit_event_bytes(event: &exporter::AuditEvent) -> usize {
    event.id.len()
        + event.at.len()
        + event.actor_kind.len()
        + option_bytes(&event.actor_id)
        + option_bytes(&event.partner_id)
        + option_bytes(&event.site_id)
        + event.action.len()
        + event.target_kind.len()
        + event.target_id.len()
        + option_bytes(&event.request_id)
        + event
            .changes
            .iter()
            .map(|c| c.field.len() + option_bytes(&c.before) + option_bytes(&c.after))
            .sum::<usize>()
}

/// The outcome, or [`Failure::InvalidOutput`] when `check` refuses its value.
fn checked<T>(outcome: Outcome<T>, check: impl FnOnce(&T) -> Result<(), String>) -> Outcome<T> {
    let result = match outcome.result {
        Ok(value) => check(&value)
            .map(|()| value)
            .map_err(Failure::InvalidOutput),
        failed => failed,
    };
    Outcome { result, ..outcome }
}
