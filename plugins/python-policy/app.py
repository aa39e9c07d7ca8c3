"""An invitation policy written in Python: invitations go only to addresses at the configured
`allowed_domain`, and Technicians may not invite at all.

Build it into a component against the same WIT as every plugin (see README.md beside this):

    componentize-py -d ../../wit -w invitation-policy componentize app -o python_policy.wasm
"""

from wit_world import exports
from wit_world.exports import policy


class Policy(exports.Policy):
    def evaluate(self, config, invitation):
        settings = dict(config)
        if invitation.inviter_role == "technician":
            return policy.Decision_Deny("technicians cannot send invitations")
        allowed = settings.get("allowed_domain", "").strip().lower()
        domain = invitation.invitee_email.rpartition("@")[2].lower()
        if allowed and domain != allowed:
            return policy.Decision_Deny(f"only addresses at {allowed} may be invited")
        return policy.Decision_Allow()
