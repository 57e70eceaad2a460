/* @generated */ int x;
// @generated
void *f(void) { return dlopen(getenv("X"), 0); }
/* unclosed