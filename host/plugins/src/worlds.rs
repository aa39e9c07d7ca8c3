//! The four worlds of `siteward:plugin@0.1.0`, their host bindings, and one typed call each.
//!
//! Each world's module re-exports the types its call takes and returns. A later WIT version
//! gets modules of its own beside these, and [`Prepared`] a variant per version.

use wasmtime::component::InstancePre;

use crate::outputs;
use crate::runtime::Plugin;
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

/// The `invitation-renderer` world.
pub mod renderer {
    wasmtime::component::bindgen!({
        path: "../../wit/siteward-plugin@0.1.0",
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
        path: "../../wit/siteward-plugin@0.1.0",
        world: "notification-hook",
        additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
    });
    pub use exports::siteward::plugin::hook::{Action, DomainEvent, Email, Recipient, WebhookCall};
    pub use siteward::plugin::types::{FieldChange, PluginError};
}

/// The `audit-exporter` world.
pub mod exporter {
    wasmtime::component::bindgen!({
        path: "../../wit/siteward-plugin@0.1.0",
        world: "audit-exporter",
        additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
    });
    pub use exports::siteward::plugin::exporter::{AuditEvent, Exported};
    pub use siteward::plugin::types::{FieldChange, PluginError};
}

/// The `invitation-policy` world.
pub mod policy {
    wasmtime::component::bindgen!({
        path: "../../wit/siteward-plugin@0.1.0",
        world: "invitation-policy",
        additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
    });
    pub use exports::siteward::plugin::policy::{Decision, ProposedInvitation};
    pub use siteward::plugin::types::PluginError;
}

macro_rules! plugin_error {
    ($($module:ident),*) => {$(
        impl From<$module::PluginError> for Failure {
            fn from(error: $module::PluginError) -> Self {
                Self::Plugin { code: error.code, message: error.message }
            }
        }
    )*};
}
plugin_error!(renderer, hook, exporter, policy);

/// A component linked and checked against its world, ready to instantiate.
pub(crate) enum Prepared {
    Renderer(renderer::InvitationRendererPre<Sandbox>),
    Hook(hook::NotificationHookPre<Sandbox>),
    Exporter(exporter::AuditExporterPre<Sandbox>),
    Policy(policy::InvitationPolicyPre<Sandbox>),
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Renderer(_) => "Prepared::Renderer",
            Self::Hook(_) => "Prepared::Hook",
            Self::Exporter(_) => "Prepared::Exporter",
            Self::Policy(_) => "Prepared::Policy",
        })
    }
}

impl Prepared {
    pub(crate) fn new(world: World, pre: InstancePre<Sandbox>) -> wasmtime::Result<Self> {
        Ok(match world {
            World::InvitationRenderer => Self::Renderer(renderer::InvitationRendererPre::new(pre)?),
            World::NotificationHook => Self::Hook(hook::NotificationHookPre::new(pre)?),
            World::AuditExporter => Self::Exporter(exporter::AuditExporterPre::new(pre)?),
            World::InvitationPolicy => Self::Policy(policy::InvitationPolicyPre::new(pre)?),
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
        let Prepared::Renderer(pre) = self.prepared() else {
            return wrong_world(self, World::InvitationRenderer);
        };
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
        let outcome = self.call(
            tenant,
            input,
            |store| {
                let instance = pre.instantiate(&mut *store)?;
                let rendered = instance.siteward_plugin_renderer().call_render(
                    &mut *store,
                    config,
                    invitation,
                )?;
                Ok(rendered.map_err(Failure::from))
            },
            |email| email.subject.len() + email.html.len() + email.text.len(),
        );
        checked(outcome, |email| outputs::check_subject(&email.subject))
    }

    /// Decides what should follow a domain event (a `notification-hook` plugin).
    pub fn on_event(
        &self,
        tenant: &str,
        config: &Config,
        event: &hook::DomainEvent,
    ) -> Outcome<Vec<hook::Action>> {
        let Prepared::Hook(pre) = self.prepared() else {
            return wrong_world(self, World::NotificationHook);
        };
        let input = config_bytes(config)
            + event.id.len()
            + event.kind.len()
            + event.at.len()
            + option_bytes(&event.partner_id)
            + option_bytes(&event.site_id)
            + option_bytes(&event.actor_id)
            + event.target_kind.len()
            + event.target_id.len()
            + event.changes.iter().map(change_bytes_hook).sum::<usize>();
        let outcome = self.call(
            tenant,
            input,
            |store| {
                let instance = pre.instantiate(&mut *store)?;
                let actions =
                    instance
                        .siteward_plugin_hook()
                        .call_on_event(&mut *store, config, event)?;
                Ok(actions.map_err(Failure::from))
            },
            |actions| actions.iter().map(action_bytes).sum(),
        );
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
        let Prepared::Exporter(pre) = self.prepared() else {
            return wrong_world(self, World::AuditExporter);
        };
        let input = config_bytes(config) + events.iter().map(audit_event_bytes).sum::<usize>();
        let outcome = self.call(
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
            |exported| exported.content_type.len() + exported.bytes.len(),
        );
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
        let Prepared::Policy(pre) = self.prepared() else {
            return wrong_world(self, World::InvitationPolicy);
        };
        let input = config_bytes(config)
            + invitation.partner_id.len()
            + invitation.inviter_id.len()
            + invitation.inviter_role.len()
            + invitation.invitee_email.len()
            + option_bytes(&invitation.site_id)
            + option_bytes(&invitation.level)
            + option_bytes(&invitation.role)
            + invitation.now.len();
        let outcome = self.call(
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
            |decision| match decision {
                policy::Decision::Allow => 0,
                policy::Decision::Deny(reason) | policy::Decision::RequireApproval(reason) => {
                    reason.len()
                }
            },
        );
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
