rfc: 8441
title: Without SETTINGS_ENABLE_CONNECT_PROTOCOL from the server the client sends nothing and fails with extended-connect-disabled (RFC 8441 §3)
role: client
handshake: h2
connect-protocol: withheld
expect no output
expect handshake error extended-connect-disabled
