rfc: 8.1
title: Sequences at the edges of the valid ranges are accepted (U+0800, U+D7FF, U+E000, U+10000, U+10FFFF)
role: both
peer sends text "\xe0\xa0\x80|\xed\x9f\xbf|\xee\x80\x80|\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf"
expect event text "\u{800}|\u{d7ff}|\u{e000}|\u{10000}|\u{10ffff}"
expect no output
