/* the project's own version.h: not libuv */
#define APP_VERSION "2.0"
