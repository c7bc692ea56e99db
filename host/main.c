#include <stdio.h>
#include "starkml.h"
int main(void) { printf("starkml %s\n", starkml_version()); return 0; }
