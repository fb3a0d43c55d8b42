#ifndef CONFIG_H_IN
#define CONFIG_H_IN

/* #undef HAVE_MYSQL */
/* #undef HAVE_POSTGRESQL */
/* #undef HAVE_SSL */

#endif
