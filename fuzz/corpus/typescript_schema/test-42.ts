Tree

    export interface Tree { value: Leaf; children: Tree[]; parent?: Tree | null }
    type Leaf = Color | number;
    export type Color = "red" | "green";
    interface Unused { x: string }
    type A = { next: B | null };
    type B = { next: A | null };
  