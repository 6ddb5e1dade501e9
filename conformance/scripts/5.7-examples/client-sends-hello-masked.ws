rfc: 5.7
title: A client with key 37 fa 21 3d sends "Hello" as the RFC's masked single frame
role: client
our-mask: 37 fa 21 3d
app send text "Hello"
expect sent raw hex 81 85 37 fa 21 3d 7f 9f 4d 51 58
