rfc: 5.3
title: Unmasking keeps its key offset across reads that cut the payload anywhere
role: server
peer sends text "The quick brown fox jumps over the lazy dog" split-at 7 8 9 13 30
expect event text "The quick brown fox jumps over the lazy dog"
