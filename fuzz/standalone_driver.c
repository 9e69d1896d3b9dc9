/* Replays a libFuzzer corpus without libFuzzer, so every saved input runs
 * in the ordinary test suite (and under the sanitizer build). Arguments are
 * files or directories; directories are read one level deep. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	do {
		if (cap - len < 65536) {
			uint8_t *p = realloc(data, cap + 65536);
			if (!p) {
				fclose(f);
				free(data);
				return 1;
			}
			data = p;
			cap += 65536;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int i, count = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]);
			count++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			failed |= run_file(path);
			count++;
		}
		closedir(d);
	}
	if (count == 0) {
		/* An empty corpus would make this test pass without testing. */
		fprintf(stderr, "no corpus inputs found\n");
		return 1;
	}
	printf("%d inputs replayed\n", count);
	return failed;
}
