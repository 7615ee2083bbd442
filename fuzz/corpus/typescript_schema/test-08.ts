T
interface T {
    a?: string,
    readonly b: number
    "c-d": boolean;
    'e f'?: string
    readonly readonly?: number,
    type: string;
    42: string
  }