rfc: 8.1
title: The largest code points of each length and U+10FFFF are valid
role: both
peer sends text "\u{7f}\u{7ff}\u{ffff}\u{10ffff}"
expect event text "\u{7f}\u{7ff}\u{ffff}\u{10ffff}"
expect no output
