rfc: 5.4
title: Empty fragments (first, middle and last) are legal and add nothing
role: both
peer sends text nofin empty
peer sends cont nofin "abc"
peer sends cont nofin empty
peer sends cont empty
expect event text "abc"
