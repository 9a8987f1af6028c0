{
  "targets": [
    {
      "target_name": "fsat",
      "sources": ["fsat.c", "ops.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
