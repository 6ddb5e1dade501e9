rfc: 7.1.5
title: EOF after the server answered our close is the server closing TCP first: clean
role: client

app close 1000
expect sent close 1000
peer sends close 1000
expect event close-received 1000
peer eof
expect event closed 1000 clean-local
