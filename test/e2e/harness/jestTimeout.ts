// Starting n8n runs its CLI several times (imports, activation) and then n8n itself: allow minutes.
jest.setTimeout(180_000);
