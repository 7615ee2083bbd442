T

    interface T extends Named, Timed { id: number; name?: string }
    interface Named { name: string; tags: Tag[] }
    type Timed = { at: string };
    type Tag = "a" | "b";
  