dim down2(h) = (h - 1) / 2 + 1
