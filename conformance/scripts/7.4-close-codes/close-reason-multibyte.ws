rfc: 5.5.1
title: A close reason may hold any UTF-8 text
role: both
trailing: frame
peer sends close 1001 "au revoir, ça va ✓"
expect event close-received 1001 "au revoir, ça va ✓"
expect sent close 1001 any-reason
peer eof
expect event closed 1001 clean-remote reason "au revoir, ça va ✓"
