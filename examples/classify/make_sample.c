/*
 * make_sample.c - writes sample.ppm, the example's test image: a 64x48
 * binary PPM (P6) of a little landscape (sky gradient, sun, hills), made by
 * integer arithmetic only, so every compiler on every host writes the same
 * bytes. The header carries a comment line to exercise the reader.
 *
 *   cc -std=c99 -o make_sample examples/classify/make_sample.c
 *   ./make_sample examples/classify/sample.ppm
 */
#include <stdio.h>

#define W 64
#define H 48

int main(int argc, char **argv)
{
    static unsigned char px[H][W][3];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            /* sky: light blue at the horizon, deeper blue above */
            int r = 90 + 2 * y, g = 150 + 2 * y, b = 255 - y / 2;
            /* sun: a yellow disc, centre (48, 11), radius 7 */
            int dx = x - 48, dy = y - 11;
            if (dx * dx + dy * dy <= 49) {
                r = 255;
                g = 220;
                b = 60;
            }
            /* hills: two parabolas; the nearer is darker green */
            int far = 30 + ((x - 16) * (x - 16)) / 40;
            int near = 36 + ((x - 50) * (x - 50)) / 60;
            if (y >= far) {
                r = 70;
                g = 150 + (y - far) % 7;
                b = 60;
            }
            if (y >= near) {
                r = 40 + (x * 3 + y * 5) % 16;
                g = 110;
                b = 35;
            }
            px[y][x][0] = (unsigned char)(r > 255 ? 255 : r);
            px[y][x][1] = (unsigned char)(g > 255 ? 255 : g);
            px[y][x][2] = (unsigned char)(b > 255 ? 255 : b);
        }
    }
    FILE *f = argc > 1 ? fopen(argv[1], "wb") : stdout;
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "P6\n# gsc examples/classify sample: made by make_sample.c\n%d %d\n255\n", W, H);
    if (fwrite(px, 1, sizeof px, f) != sizeof px || (f != stdout && fclose(f) != 0)) {
        perror(argc > 1 ? argv[1] : "stdout");
        return 1;
    }
    return 0;
}
