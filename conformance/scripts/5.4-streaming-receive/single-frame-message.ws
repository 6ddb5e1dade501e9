rfc: 5.4
title: A single-frame message received in one read is one fin chunk
role: both
config: receive_mode=streaming 
chunkings: whole
peer sends text "whole"
expect event text-chunk "whole" fin
peer sends binary empty
expect event binary-chunk empty fin
