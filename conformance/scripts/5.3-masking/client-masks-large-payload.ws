rfc: 5.3
title: A client masks a large payload (the zero-copy path) exactly like a small one
role: client
app send binary repeat 10000 0xab
expect sent binary repeat 10000 0xab
app send text repeat 5000 "é"
expect sent text repeat 5000 "é"
