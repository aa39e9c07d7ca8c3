// An invitation renderer in JavaScript, built with componentize-js: the same WIT, runtime,
// limits and cases as a Rust plugin.

function setting(config, name, fallback) {
  const found = config.find(([key]) => key === name);
  return found ? found[1] : fallback;
}

function escape(text) {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

export const renderer = {
  render(config, invitation) {
    const greeting = setting(config, 'greeting', 'Hello').trim();
    if (greeting === '') {
      // A `result`'s error: thrown, with the `plugin-error` record as its payload.
      const error = new Error('invalid_config');
      error.payload = { code: 'invalid_config', message: '`greeting` must not be empty' };
      throw error;
    }
    const partner = invitation.branding.displayName;
    const place = invitation.siteName ? `${invitation.siteName} for ${partner}` : partner;
    return {
      subject: `${invitation.inviterName} invites you to ${place}`,
      html: `<p>${escape(greeting)}, ${escape(invitation.inviteeEmail)}.</p>` +
        `<p><a href="${invitation.acceptLink}">Accept the invitation</a></p>`,
      text: `${greeting}, ${invitation.inviteeEmail}.\n\nAccept the invitation: ${invitation.acceptLink}\n`,
    };
  },
};
