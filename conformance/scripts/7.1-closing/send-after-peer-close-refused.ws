rfc: 5.5.1
title: Once the peer's close is echoed, the application can no longer send
role: both
trailing: frame
peer sends close 1000
expect event close-received 1000
expect sent close 1000
app send text "x" => error closed
app ping => error closed
app close 1000 => error closed
expect no output
