rfc: 5.4
title: A binary message in fragments of different sizes is reassembled in order
role: both
peer sends binary nofin hex 00 01
peer sends cont nofin repeat 300 0xff
peer sends cont hex 02
expect event binary hex 00 01 + repeat 300 0xff + hex 02
