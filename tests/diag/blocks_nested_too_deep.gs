# 300 blocks, each instantiating the one before
block b0(x: [n]) -> [n] {
    return relu(x)
}
block b1(x: [n]) -> [n] {
    inner = b0
    return inner(x)
}
block b2(x: [n]) -> [n] {
    inner = b1
    return inner(x)
}
block b3(x: [n]) -> [n] {
    inner = b2
    return inner(x)
}
block b4(x: [n]) -> [n] {
    inner = b3
    return inner(x)
}
block b5(x: [n]) -> [n] {
    inner = b4
    return inner(x)
}
block b6(x: [n]) -> [n] {
    inner = b5
    return inner(x)
}
block b7(x: [n]) -> [n] {
    inner = b6
    return inner(x)
}
block b8(x: [n]) -> [n] {
    inner = b7
    return inner(x)
}
block b9(x: [n]) -> [n] {
    inner = b8
    return inner(x)
}
block b10(x: [n]) -> [n] {
    inner = b9
    return inner(x)
}
block b11(x: [n]) -> [n] {
    inner = b10
    return inner(x)
}
block b12(x: [n]) -> [n] {
    inner = b11
    return inner(x)
}
block b13(x: [n]) -> [n] {
    inner = b12
    return inner(x)
}
block b14(x: [n]) -> [n] {
    inner = b13
    return inner(x)
}
block b15(x: [n]) -> [n] {
    inner = b14
    return inner(x)
}
block b16(x: [n]) -> [n] {
    inner = b15
    return inner(x)
}
block b17(x: [n]) -> [n] {
    inner = b16
    return inner(x)
}
block b18(x: [n]) -> [n] {
    inner = b17
    return inner(x)
}
block b19(x: [n]) -> [n] {
    inner = b18
    return inner(x)
}
block b20(x: [n]) -> [n] {
    inner = b19
    return inner(x)
}
block b21(x: [n]) -> [n] {
    inner = b20
    return inner(x)
}
block b22(x: [n]) -> [n] {
    inner = b21
    return inner(x)
}
block b23(x: [n]) -> [n] {
    inner = b22
    return inner(x)
}
block b24(x: [n]) -> [n] {
    inner = b23
    return inner(x)
}
block b25(x: [n]) -> [n] {
    inner = b24
    return inner(x)
}
block b26(x: [n]) -> [n] {
    inner = b25
    return inner(x)
}
block b27(x: [n]) -> [n] {
    inner = b26
    return inner(x)
}
block b28(x: [n]) -> [n] {
    inner = b27
    return inner(x)
}
block b29(x: [n]) -> [n] {
    inner = b28
    return inner(x)
}
block b30(x: [n]) -> [n] {
    inner = b29
    return inner(x)
}
block b31(x: [n]) -> [n] {
    inner = b30
    return inner(x)
}
block b32(x: [n]) -> [n] {
    inner = b31
    return inner(x)
}
block b33(x: [n]) -> [n] {
    inner = b32
    return inner(x)
}
block b34(x: [n]) -> [n] {
    inner = b33
    return inner(x)
}
block b35(x: [n]) -> [n] {
    inner = b34
    return inner(x)
}
block b36(x: [n]) -> [n] {
    inner = b35
    return inner(x)
}
block b37(x: [n]) -> [n] {
    inner = b36
    return inner(x)
}
block b38(x: [n]) -> [n] {
    inner = b37
    return inner(x)
}
block b39(x: [n]) -> [n] {
    inner = b38
    return inner(x)
}
block b40(x: [n]) -> [n] {
    inner = b39
    return inner(x)
}
block b41(x: [n]) -> [n] {
    inner = b40
    return inner(x)
}
block b42(x: [n]) -> [n] {
    inner = b41
    return inner(x)
}
block b43(x: [n]) -> [n] {
    inner = b42
    return inner(x)
}
block b44(x: [n]) -> [n] {
    inner = b43
    return inner(x)
}
block b45(x: [n]) -> [n] {
    inner = b44
    return inner(x)
}
block b46(x: [n]) -> [n] {
    inner = b45
    return inner(x)
}
block b47(x: [n]) -> [n] {
    inner = b46
    return inner(x)
}
block b48(x: [n]) -> [n] {
    inner = b47
    return inner(x)
}
block b49(x: [n]) -> [n] {
    inner = b48
    return inner(x)
}
block b50(x: [n]) -> [n] {
    inner = b49
    return inner(x)
}
block b51(x: [n]) -> [n] {
    inner = b50
    return inner(x)
}
block b52(x: [n]) -> [n] {
    inner = b51
    return inner(x)
}
block b53(x: [n]) -> [n] {
    inner = b52
    return inner(x)
}
block b54(x: [n]) -> [n] {
    inner = b53
    return inner(x)
}
block b55(x: [n]) -> [n] {
    inner = b54
    return inner(x)
}
block b56(x: [n]) -> [n] {
    inner = b55
    return inner(x)
}
block b57(x: [n]) -> [n] {
    inner = b56
    return inner(x)
}
block b58(x: [n]) -> [n] {
    inner = b57
    return inner(x)
}
block b59(x: [n]) -> [n] {
    inner = b58
    return inner(x)
}
block b60(x: [n]) -> [n] {
    inner = b59
    return inner(x)
}
block b61(x: [n]) -> [n] {
    inner = b60
    return inner(x)
}
block b62(x: [n]) -> [n] {
    inner = b61
    return inner(x)
}
block b63(x: [n]) -> [n] {
    inner = b62
    return inner(x)
}
block b64(x: [n]) -> [n] {
    inner = b63
    return inner(x)
}
block b65(x: [n]) -> [n] {
    inner = b64
    return inner(x)
}
block b66(x: [n]) -> [n] {
    inner = b65
    return inner(x)
}
block b67(x: [n]) -> [n] {
    inner = b66
    return inner(x)
}
block b68(x: [n]) -> [n] {
    inner = b67
    return inner(x)
}
block b69(x: [n]) -> [n] {
    inner = b68
    return inner(x)
}
block b70(x: [n]) -> [n] {
    inner = b69
    return inner(x)
}
block b71(x: [n]) -> [n] {
    inner = b70
    return inner(x)
}
block b72(x: [n]) -> [n] {
    inner = b71
    return inner(x)
}
block b73(x: [n]) -> [n] {
    inner = b72
    return inner(x)
}
block b74(x: [n]) -> [n] {
    inner = b73
    return inner(x)
}
block b75(x: [n]) -> [n] {
    inner = b74
    return inner(x)
}
block b76(x: [n]) -> [n] {
    inner = b75
    return inner(x)
}
block b77(x: [n]) -> [n] {
    inner = b76
    return inner(x)
}
block b78(x: [n]) -> [n] {
    inner = b77
    return inner(x)
}
block b79(x: [n]) -> [n] {
    inner = b78
    return inner(x)
}
block b80(x: [n]) -> [n] {
    inner = b79
    return inner(x)
}
block b81(x: [n]) -> [n] {
    inner = b80
    return inner(x)
}
block b82(x: [n]) -> [n] {
    inner = b81
    return inner(x)
}
block b83(x: [n]) -> [n] {
    inner = b82
    return inner(x)
}
block b84(x: [n]) -> [n] {
    inner = b83
    return inner(x)
}
block b85(x: [n]) -> [n] {
    inner = b84
    return inner(x)
}
block b86(x: [n]) -> [n] {
    inner = b85
    return inner(x)
}
block b87(x: [n]) -> [n] {
    inner = b86
    return inner(x)
}
block b88(x: [n]) -> [n] {
    inner = b87
    return inner(x)
}
block b89(x: [n]) -> [n] {
    inner = b88
    return inner(x)
}
block b90(x: [n]) -> [n] {
    inner = b89
    return inner(x)
}
block b91(x: [n]) -> [n] {
    inner = b90
    return inner(x)
}
block b92(x: [n]) -> [n] {
    inner = b91
    return inner(x)
}
block b93(x: [n]) -> [n] {
    inner = b92
    return inner(x)
}
block b94(x: [n]) -> [n] {
    inner = b93
    return inner(x)
}
block b95(x: [n]) -> [n] {
    inner = b94
    return inner(x)
}
block b96(x: [n]) -> [n] {
    inner = b95
    return inner(x)
}
block b97(x: [n]) -> [n] {
    inner = b96
    return inner(x)
}
block b98(x: [n]) -> [n] {
    inner = b97
    return inner(x)
}
block b99(x: [n]) -> [n] {
    inner = b98
    return inner(x)
}
block b100(x: [n]) -> [n] {
    inner = b99
    return inner(x)
}
block b101(x: [n]) -> [n] {
    inner = b100
    return inner(x)
}
block b102(x: [n]) -> [n] {
    inner = b101
    return inner(x)
}
block b103(x: [n]) -> [n] {
    inner = b102
    return inner(x)
}
block b104(x: [n]) -> [n] {
    inner = b103
    return inner(x)
}
block b105(x: [n]) -> [n] {
    inner = b104
    return inner(x)
}
block b106(x: [n]) -> [n] {
    inner = b105
    return inner(x)
}
block b107(x: [n]) -> [n] {
    inner = b106
    return inner(x)
}
block b108(x: [n]) -> [n] {
    inner = b107
    return inner(x)
}
block b109(x: [n]) -> [n] {
    inner = b108
    return inner(x)
}
block b110(x: [n]) -> [n] {
    inner = b109
    return inner(x)
}
block b111(x: [n]) -> [n] {
    inner = b110
    return inner(x)
}
block b112(x: [n]) -> [n] {
    inner = b111
    return inner(x)
}
block b113(x: [n]) -> [n] {
    inner = b112
    return inner(x)
}
block b114(x: [n]) -> [n] {
    inner = b113
    return inner(x)
}
block b115(x: [n]) -> [n] {
    inner = b114
    return inner(x)
}
block b116(x: [n]) -> [n] {
    inner = b115
    return inner(x)
}
block b117(x: [n]) -> [n] {
    inner = b116
    return inner(x)
}
block b118(x: [n]) -> [n] {
    inner = b117
    return inner(x)
}
block b119(x: [n]) -> [n] {
    inner = b118
    return inner(x)
}
block b120(x: [n]) -> [n] {
    inner = b119
    return inner(x)
}
block b121(x: [n]) -> [n] {
    inner = b120
    return inner(x)
}
block b122(x: [n]) -> [n] {
    inner = b121
    return inner(x)
}
block b123(x: [n]) -> [n] {
    inner = b122
    return inner(x)
}
block b124(x: [n]) -> [n] {
    inner = b123
    return inner(x)
}
block b125(x: [n]) -> [n] {
    inner = b124
    return inner(x)
}
block b126(x: [n]) -> [n] {
    inner = b125
    return inner(x)
}
block b127(x: [n]) -> [n] {
    inner = b126
    return inner(x)
}
block b128(x: [n]) -> [n] {
    inner = b127
    return inner(x)
}
block b129(x: [n]) -> [n] {
    inner = b128
    return inner(x)
}
block b130(x: [n]) -> [n] {
    inner = b129
    return inner(x)
}
block b131(x: [n]) -> [n] {
    inner = b130
    return inner(x)
}
block b132(x: [n]) -> [n] {
    inner = b131
    return inner(x)
}
block b133(x: [n]) -> [n] {
    inner = b132
    return inner(x)
}
block b134(x: [n]) -> [n] {
    inner = b133
    return inner(x)
}
block b135(x: [n]) -> [n] {
    inner = b134
    return inner(x)
}
block b136(x: [n]) -> [n] {
    inner = b135
    return inner(x)
}
block b137(x: [n]) -> [n] {
    inner = b136
    return inner(x)
}
block b138(x: [n]) -> [n] {
    inner = b137
    return inner(x)
}
block b139(x: [n]) -> [n] {
    inner = b138
    return inner(x)
}
block b140(x: [n]) -> [n] {
    inner = b139
    return inner(x)
}
block b141(x: [n]) -> [n] {
    inner = b140
    return inner(x)
}
block b142(x: [n]) -> [n] {
    inner = b141
    return inner(x)
}
block b143(x: [n]) -> [n] {
    inner = b142
    return inner(x)
}
block b144(x: [n]) -> [n] {
    inner = b143
    return inner(x)
}
block b145(x: [n]) -> [n] {
    inner = b144
    return inner(x)
}
block b146(x: [n]) -> [n] {
    inner = b145
    return inner(x)
}
block b147(x: [n]) -> [n] {
    inner = b146
    return inner(x)
}
block b148(x: [n]) -> [n] {
    inner = b147
    return inner(x)
}
block b149(x: [n]) -> [n] {
    inner = b148
    return inner(x)
}
block b150(x: [n]) -> [n] {
    inner = b149
    return inner(x)
}
block b151(x: [n]) -> [n] {
    inner = b150
    return inner(x)
}
block b152(x: [n]) -> [n] {
    inner = b151
    return inner(x)
}
block b153(x: [n]) -> [n] {
    inner = b152
    return inner(x)
}
block b154(x: [n]) -> [n] {
    inner = b153
    return inner(x)
}
block b155(x: [n]) -> [n] {
    inner = b154
    return inner(x)
}
block b156(x: [n]) -> [n] {
    inner = b155
    return inner(x)
}
block b157(x: [n]) -> [n] {
    inner = b156
    return inner(x)
}
block b158(x: [n]) -> [n] {
    inner = b157
    return inner(x)
}
block b159(x: [n]) -> [n] {
    inner = b158
    return inner(x)
}
block b160(x: [n]) -> [n] {
    inner = b159
    return inner(x)
}
block b161(x: [n]) -> [n] {
    inner = b160
    return inner(x)
}
block b162(x: [n]) -> [n] {
    inner = b161
    return inner(x)
}
block b163(x: [n]) -> [n] {
    inner = b162
    return inner(x)
}
block b164(x: [n]) -> [n] {
    inner = b163
    return inner(x)
}
block b165(x: [n]) -> [n] {
    inner = b164
    return inner(x)
}
block b166(x: [n]) -> [n] {
    inner = b165
    return inner(x)
}
block b167(x: [n]) -> [n] {
    inner = b166
    return inner(x)
}
block b168(x: [n]) -> [n] {
    inner = b167
    return inner(x)
}
block b169(x: [n]) -> [n] {
    inner = b168
    return inner(x)
}
block b170(x: [n]) -> [n] {
    inner = b169
    return inner(x)
}
block b171(x: [n]) -> [n] {
    inner = b170
    return inner(x)
}
block b172(x: [n]) -> [n] {
    inner = b171
    return inner(x)
}
block b173(x: [n]) -> [n] {
    inner = b172
    return inner(x)
}
block b174(x: [n]) -> [n] {
    inner = b173
    return inner(x)
}
block b175(x: [n]) -> [n] {
    inner = b174
    return inner(x)
}
block b176(x: [n]) -> [n] {
    inner = b175
    return inner(x)
}
block b177(x: [n]) -> [n] {
    inner = b176
    return inner(x)
}
block b178(x: [n]) -> [n] {
    inner = b177
    return inner(x)
}
block b179(x: [n]) -> [n] {
    inner = b178
    return inner(x)
}
block b180(x: [n]) -> [n] {
    inner = b179
    return inner(x)
}
block b181(x: [n]) -> [n] {
    inner = b180
    return inner(x)
}
block b182(x: [n]) -> [n] {
    inner = b181
    return inner(x)
}
block b183(x: [n]) -> [n] {
    inner = b182
    return inner(x)
}
block b184(x: [n]) -> [n] {
    inner = b183
    return inner(x)
}
block b185(x: [n]) -> [n] {
    inner = b184
    return inner(x)
}
block b186(x: [n]) -> [n] {
    inner = b185
    return inner(x)
}
block b187(x: [n]) -> [n] {
    inner = b186
    return inner(x)
}
block b188(x: [n]) -> [n] {
    inner = b187
    return inner(x)
}
block b189(x: [n]) -> [n] {
    inner = b188
    return inner(x)
}
block b190(x: [n]) -> [n] {
    inner = b189
    return inner(x)
}
block b191(x: [n]) -> [n] {
    inner = b190
    return inner(x)
}
block b192(x: [n]) -> [n] {
    inner = b191
    return inner(x)
}
block b193(x: [n]) -> [n] {
    inner = b192
    return inner(x)
}
block b194(x: [n]) -> [n] {
    inner = b193
    return inner(x)
}
block b195(x: [n]) -> [n] {
    inner = b194
    return inner(x)
}
block b196(x: [n]) -> [n] {
    inner = b195
    return inner(x)
}
block b197(x: [n]) -> [n] {
    inner = b196
    return inner(x)
}
block b198(x: [n]) -> [n] {
    inner = b197
    return inner(x)
}
block b199(x: [n]) -> [n] {
    inner = b198
    return inner(x)
}
block b200(x: [n]) -> [n] {
    inner = b199
    return inner(x)
}
block b201(x: [n]) -> [n] {
    inner = b200
    return inner(x)
}
block b202(x: [n]) -> [n] {
    inner = b201
    return inner(x)
}
block b203(x: [n]) -> [n] {
    inner = b202
    return inner(x)
}
block b204(x: [n]) -> [n] {
    inner = b203
    return inner(x)
}
block b205(x: [n]) -> [n] {
    inner = b204
    return inner(x)
}
block b206(x: [n]) -> [n] {
    inner = b205
    return inner(x)
}
block b207(x: [n]) -> [n] {
    inner = b206
    return inner(x)
}
block b208(x: [n]) -> [n] {
    inner = b207
    return inner(x)
}
block b209(x: [n]) -> [n] {
    inner = b208
    return inner(x)
}
block b210(x: [n]) -> [n] {
    inner = b209
    return inner(x)
}
block b211(x: [n]) -> [n] {
    inner = b210
    return inner(x)
}
block b212(x: [n]) -> [n] {
    inner = b211
    return inner(x)
}
block b213(x: [n]) -> [n] {
    inner = b212
    return inner(x)
}
block b214(x: [n]) -> [n] {
    inner = b213
    return inner(x)
}
block b215(x: [n]) -> [n] {
    inner = b214
    return inner(x)
}
block b216(x: [n]) -> [n] {
    inner = b215
    return inner(x)
}
block b217(x: [n]) -> [n] {
    inner = b216
    return inner(x)
}
block b218(x: [n]) -> [n] {
    inner = b217
    return inner(x)
}
block b219(x: [n]) -> [n] {
    inner = b218
    return inner(x)
}
block b220(x: [n]) -> [n] {
    inner = b219
    return inner(x)
}
block b221(x: [n]) -> [n] {
    inner = b220
    return inner(x)
}
block b222(x: [n]) -> [n] {
    inner = b221
    return inner(x)
}
block b223(x: [n]) -> [n] {
    inner = b222
    return inner(x)
}
block b224(x: [n]) -> [n] {
    inner = b223
    return inner(x)
}
block b225(x: [n]) -> [n] {
    inner = b224
    return inner(x)
}
block b226(x: [n]) -> [n] {
    inner = b225
    return inner(x)
}
block b227(x: [n]) -> [n] {
    inner = b226
    return inner(x)
}
block b228(x: [n]) -> [n] {
    inner = b227
    return inner(x)
}
block b229(x: [n]) -> [n] {
    inner = b228
    return inner(x)
}
block b230(x: [n]) -> [n] {
    inner = b229
    return inner(x)
}
block b231(x: [n]) -> [n] {
    inner = b230
    return inner(x)
}
block b232(x: [n]) -> [n] {
    inner = b231
    return inner(x)
}
block b233(x: [n]) -> [n] {
    inner = b232
    return inner(x)
}
block b234(x: [n]) -> [n] {
    inner = b233
    return inner(x)
}
block b235(x: [n]) -> [n] {
    inner = b234
    return inner(x)
}
block b236(x: [n]) -> [n] {
    inner = b235
    return inner(x)
}
block b237(x: [n]) -> [n] {
    inner = b236
    return inner(x)
}
block b238(x: [n]) -> [n] {
    inner = b237
    return inner(x)
}
block b239(x: [n]) -> [n] {
    inner = b238
    return inner(x)
}
block b240(x: [n]) -> [n] {
    inner = b239
    return inner(x)
}
block b241(x: [n]) -> [n] {
    inner = b240
    return inner(x)
}
block b242(x: [n]) -> [n] {
    inner = b241
    return inner(x)
}
block b243(x: [n]) -> [n] {
    inner = b242
    return inner(x)
}
block b244(x: [n]) -> [n] {
    inner = b243
    return inner(x)
}
block b245(x: [n]) -> [n] {
    inner = b244
    return inner(x)
}
block b246(x: [n]) -> [n] {
    inner = b245
    return inner(x)
}
block b247(x: [n]) -> [n] {
    inner = b246
    return inner(x)
}
block b248(x: [n]) -> [n] {
    inner = b247
    return inner(x)
}
block b249(x: [n]) -> [n] {
    inner = b248
    return inner(x)
}
block b250(x: [n]) -> [n] {
    inner = b249
    return inner(x)
}
block b251(x: [n]) -> [n] {
    inner = b250
    return inner(x)
}
block b252(x: [n]) -> [n] {
    inner = b251
    return inner(x)
}
block b253(x: [n]) -> [n] {
    inner = b252
    return inner(x)
}
block b254(x: [n]) -> [n] {
    inner = b253
    return inner(x)
}
block b255(x: [n]) -> [n] {
    inner = b254
    return inner(x)
}
block b256(x: [n]) -> [n] {
    inner = b255
    return inner(x)
}
block b257(x: [n]) -> [n] {
    inner = b256
    return inner(x)
}
block b258(x: [n]) -> [n] {
    inner = b257
    return inner(x)
}
block b259(x: [n]) -> [n] {
    inner = b258
    return inner(x)
}
block b260(x: [n]) -> [n] {
    inner = b259
    return inner(x)
}
block b261(x: [n]) -> [n] {
    inner = b260
    return inner(x)
}
block b262(x: [n]) -> [n] {
    inner = b261
    return inner(x)
}
block b263(x: [n]) -> [n] {
    inner = b262
    return inner(x)
}
block b264(x: [n]) -> [n] {
    inner = b263
    return inner(x)
}
block b265(x: [n]) -> [n] {
    inner = b264
    return inner(x)
}
block b266(x: [n]) -> [n] {
    inner = b265
    return inner(x)
}
block b267(x: [n]) -> [n] {
    inner = b266
    return inner(x)
}
block b268(x: [n]) -> [n] {
    inner = b267
    return inner(x)
}
block b269(x: [n]) -> [n] {
    inner = b268
    return inner(x)
}
block b270(x: [n]) -> [n] {
    inner = b269
    return inner(x)
}
block b271(x: [n]) -> [n] {
    inner = b270
    return inner(x)
}
block b272(x: [n]) -> [n] {
    inner = b271
    return inner(x)
}
block b273(x: [n]) -> [n] {
    inner = b272
    return inner(x)
}
block b274(x: [n]) -> [n] {
    inner = b273
    return inner(x)
}
block b275(x: [n]) -> [n] {
    inner = b274
    return inner(x)
}
block b276(x: [n]) -> [n] {
    inner = b275
    return inner(x)
}
block b277(x: [n]) -> [n] {
    inner = b276
    return inner(x)
}
block b278(x: [n]) -> [n] {
    inner = b277
    return inner(x)
}
block b279(x: [n]) -> [n] {
    inner = b278
    return inner(x)
}
block b280(x: [n]) -> [n] {
    inner = b279
    return inner(x)
}
block b281(x: [n]) -> [n] {
    inner = b280
    return inner(x)
}
block b282(x: [n]) -> [n] {
    inner = b281
    return inner(x)
}
block b283(x: [n]) -> [n] {
    inner = b282
    return inner(x)
}
block b284(x: [n]) -> [n] {
    inner = b283
    return inner(x)
}
block b285(x: [n]) -> [n] {
    inner = b284
    return inner(x)
}
block b286(x: [n]) -> [n] {
    inner = b285
    return inner(x)
}
block b287(x: [n]) -> [n] {
    inner = b286
    return inner(x)
}
block b288(x: [n]) -> [n] {
    inner = b287
    return inner(x)
}
block b289(x: [n]) -> [n] {
    inner = b288
    return inner(x)
}
block b290(x: [n]) -> [n] {
    inner = b289
    return inner(x)
}
block b291(x: [n]) -> [n] {
    inner = b290
    return inner(x)
}
block b292(x: [n]) -> [n] {
    inner = b291
    return inner(x)
}
block b293(x: [n]) -> [n] {
    inner = b292
    return inner(x)
}
block b294(x: [n]) -> [n] {
    inner = b293
    return inner(x)
}
block b295(x: [n]) -> [n] {
    inner = b294
    return inner(x)
}
block b296(x: [n]) -> [n] {
    inner = b295
    return inner(x)
}
block b297(x: [n]) -> [n] {
    inner = b296
    return inner(x)
}
block b298(x: [n]) -> [n] {
    inner = b297
    return inner(x)
}
block b299(x: [n]) -> [n] {
    inner = b298
    return inner(x)
}
model m(n = 4)(x: [n]) -> [n] {
    top = b299
    return top(x)
}
