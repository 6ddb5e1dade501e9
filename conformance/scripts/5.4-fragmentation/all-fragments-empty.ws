rfc: 5.4
title: A message made only of empty fragments is an empty message
role: both
peer sends binary nofin empty
peer sends cont nofin empty
peer sends cont empty
expect event binary empty
