/**
 * Copyright
 *
 * @generated SignedSource<<0123abcd>>
 */
void *f(void) { return dlopen(getenv("X"), 0); }
