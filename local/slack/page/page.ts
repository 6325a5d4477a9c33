export function renderPage(): string { return '<!doctype html><title>x</title>'; }
